package io.layerwatch.pipeline;

import io.layerwatch.patterns.AccessDeniedBurst;
import io.layerwatch.patterns.CepRule;
import io.layerwatch.patterns.CredentialNetworkHop;
import io.layerwatch.patterns.LayerDownloadBurst;
import io.layerwatch.patterns.PolicyChangeAfterScan;
import io.layerwatch.rules.EndgameIoc;
import io.layerwatch.rules.LayerDownload;
import io.layerwatch.rules.PolicyDeleted;
import io.layerwatch.rules.ReplicationToForeignAccount;
import io.layerwatch.rules.RepositoryExposed;
import io.layerwatch.rules.SingleEventRule;
import io.layerwatch.rules.UntrustedNetwork;
import io.layerwatch.rules.VulnerableImageScan;
import java.util.List;

/** Every rule implementation, by kind. first-seen-puller is a keyed function of its own. */
public final class RuleSet {
    private RuleSet() {}

    public static List<SingleEventRule> singleEventRules() {
        return List.of(new LayerDownload(), new UntrustedNetwork(), new RepositoryExposed(), new EndgameIoc(),
                new PolicyDeleted(), new VulnerableImageScan(), new ReplicationToForeignAccount());
    }

    public static List<CepRule> cepRules() {
        return List.of(new LayerDownloadBurst(), new AccessDeniedBurst(), new CredentialNetworkHop(),
                new PolicyChangeAfterScan());
    }
}
