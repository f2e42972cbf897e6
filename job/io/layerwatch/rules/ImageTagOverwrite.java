package io.layerwatch.rules;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.TagGlob;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.Collector;

/**
 * {@code image-tag-overwrite}: a PutImage that moves a tag matching {@code protectedTags} to
 * another digest than the one it last pointed to (per repository and tag, remembered for {@code
 * forgetAfter} after the tag's last push), and every PutImage refused with {@code
 * ImageTagAlreadyExistsException} (an overwrite attempt on an immutable repository). Keyed by
 * repository, in event-time order.
 */
public final class ImageTagOverwrite extends OrderedRule.EventLogic<Finding> {
    private static final long serialVersionUID = 1L;
    public static final String ID = RuleCatalog.IMAGE_TAG_OVERWRITE;
    static final String TAG_EXISTS = "ImageTagAlreadyExistsException";

    private transient MapState<String, String> digests;

    /**
     * Pushes that name a tag (successful or refused as an overwrite) by anyone but AWS services.
     */
    public static boolean relevant(EcrEvent e) {
        return e.is("PutImage")
                && e.repositoryName() != null
                && e.imageTags() != null
                && !e.principal().isAwsService()
                && (!e.failed() || TAG_EXISTS.equals(e.errorCode()));
    }

    public ImageTagOverwrite() {
        super(ID, "forgetAfter");
    }

    @Override
    public void open(RuntimeContext ctx, RuleSettings startup, boolean expire) {
        digests =
                ctx.getMapState(
                        expiring(
                                new MapStateDescriptor<>("tag-digests", Types.STRING, Types.STRING),
                                startup,
                                expire));
    }

    @Override
    public void judge(EcrEvent e, RuleSettings settings, Collector<Finding> out) throws Exception {
        if (e.failed()) {
            if (settings.enabled() && !settings.allowlisted(e)) {
                out.collect(
                        finding(e, settings, null, null)
                                .title(
                                        "Overwrite of tag "
                                                + e.imageTags()
                                                + " refused in immutable repository "
                                                + e.repositoryName())
                                .description(
                                        e.principal().arn()
                                                + " tried to push tag "
                                                + e.imageTags()
                                                + " to repository "
                                                + e.repositoryName()
                                                + " from "
                                                + e.sourceIp()
                                                + ", which already holds that tag and"
                                                + " keeps tags immutable ("
                                                + TAG_EXISTS
                                                + ").")
                                .build());
            }
            return;
        }
        PushedImage image = PushedImage.of(e);
        if (image.digest() == null || !isProtected(image.tag(), settings)) {
            return;
        }
        String previous = digests.get(image.tag());
        digests.put(image.tag(), image.digest());
        if (previous == null
                || previous.equals(image.digest())
                || !settings.enabled()
                || settings.allowlisted(e)) {
            return;
        }
        out.collect(
                finding(e, settings, image.digest(), previous)
                        .title(
                                "Release tag "
                                        + image.tag()
                                        + " of "
                                        + e.repositoryName()
                                        + " moved to another image")
                        .description(
                                e.principal().arn()
                                        + " pushed "
                                        + image.describe()
                                        + " to repository "
                                        + e.repositoryName()
                                        + " from "
                                        + e.sourceIp()
                                        + "; the tag pointed to "
                                        + previous
                                        + " before. Whoever deploys "
                                        + image.tag()
                                        + " now runs the new image.")
                        .build());
    }

    private static FindingBuilder finding(
            EcrEvent e, RuleSettings settings, String digest, String previous) {
        return FindingBuilder.of(settings)
                .event(e)
                .key(e.repositoryKey() + "|" + e.imageTags())
                .detail("imageTag", e.imageTags())
                .detail("imageDigest", digest)
                .detail("previousDigest", previous)
                .detail("refused", previous == null ? e.errorCode() : null);
    }

    private static boolean isProtected(String tag, RuleSettings settings) {
        for (String glob : settings.strings("protectedTags")) {
            if (TagGlob.of(glob).matches(tag)) {
                return true;
            }
        }
        return false;
    }
}
