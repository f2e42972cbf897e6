package io.layerwatch.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesUpdate;
import io.layerwatch.config.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RulesReloaderTest {

    @TempDir Path dir;

    RulesReloader reloader(Path file, String yaml) throws Exception {
        Files.writeString(file, yaml);
        RulesSource source = new RulesSource(file.toString(), null);
        return new RulesReloader(source, source.read(), source.load());
    }

    @Test
    void unchangedRulesBroadcastNothing() throws Exception {
        Path file = dir.resolve("rules.yaml");
        RulesReloader r = reloader(file, "rules:\n  layer-download: {severity: LOW}\n");
        assertThat(r.poll()).isEmpty();
        assertThat(r.poll()).isEmpty();
    }

    @Test
    void liveSettingsChangeIsBroadcastWithoutRestartNotice() throws Exception {
        Path file = dir.resolve("rules.yaml");
        RulesReloader r = reloader(file, "rules:\n  layer-download: {severity: LOW}\n");
        Files.writeString(
                file,
                "rules:\n  layer-download: {severity: HIGH}\nallowlist:\n  principals: [\"*:role/ci\"]\n");
        Optional<RulesUpdate> update = r.poll();
        assertThat(update).isPresent();
        RulesConfig applied = update.get().parse();
        assertThat(applied.rule("layer-download").severity()).isEqualTo(Severity.HIGH);
        assertThat(r.restartRequired()).isZero();
        assertThat(r.poll()).isEmpty(); // once only
    }

    @Test
    void patternShapeChangesAreReportedAsNeedingARestart() throws Exception {
        Path file = dir.resolve("rules.yaml");
        RulesReloader r = reloader(file, "");
        Files.writeString(file, "rules:\n  layer-download-burst: {window: 30m}\n");
        RulesConfig changed = r.poll().orElseThrow().parse();
        assertThat(r.restartRequired()).isEqualTo(1);
        assertThat(r.changedShape(changed))
                .containsExactly("layer-download-burst.window 10m -> 30m");
        // Whose CloudWatch Logs messages are decoded is read at startup too.
        Files.writeString(
                file,
                "input:\n  cloudWatchLogs: {owners: [\"111122223333\"], logGroups: [trail]}\n");
        RulesConfig senders = r.poll().orElseThrow().parse();
        assertThat(r.restartRequired()).isEqualTo(2);
        assertThat(r.changedShape(senders))
                .containsExactly(
                        "input.cloudWatchLogs.logGroups [] -> [trail]",
                        "input.cloudWatchLogs.owners [] -> [111122223333]");
    }

    @Test
    void invalidRulesAreRejectedOnceUntilTheFileIsFixed() throws Exception {
        Path file = dir.resolve("rules.yaml");
        RulesReloader r = reloader(file, "rules:\n  layer-download: {severity: LOW}\n");
        Files.writeString(file, "rules:\n  layer-download: {severity: URGENT}\n");
        assertThat(r.poll()).isEmpty();
        assertThat(r.rejected()).isEqualTo(1);
        assertThat(r.poll()).isEmpty();
        assertThat(r.rejected()).isEqualTo(1); // the same bad file is not reported again
        Files.writeString(file, "rules:\n  layer-download: {severity: MEDIUM}\n");
        assertThat(r.poll()).isPresent();
    }

    @Test
    void aMissingFileIsRejectedNotFatal() throws Exception {
        Path file = dir.resolve("rules.yaml");
        RulesReloader r = reloader(file, "");
        Files.delete(file);
        assertThat(r.poll()).isEmpty();
        assertThat(r.rejected()).isEqualTo(1);
    }

    /**
     * The attack: a truncated or emptied write must not silently drop every override for the
     * built-in rules.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {"", "\n  \n", "# rules\n---\n", "rules:\n  layer-download: {severity: HI"})
    void anEmptyOrTruncatedFileIsRejectedOnce(String written) throws Exception {
        Path file = dir.resolve("rules.yaml");
        RulesReloader r = reloader(file, "rules:\n  layer-download: {severity: HIGH}\n");
        Files.writeString(file, written);
        assertThat(r.poll()).isEmpty();
        assertThat(r.rejected()).isEqualTo(1);
        assertThat(r.poll()).isEmpty();
        assertThat(r.rejected()).isEqualTo(1);
    }

    @Test
    void aMissingFileIsReportedOnceUntilItComesBack() throws Exception {
        Path file = dir.resolve("rules.yaml");
        RulesReloader r = reloader(file, "rules:\n  layer-download: {severity: LOW}\n");
        Files.delete(file);
        for (int i = 0; i < 5; i++) {
            assertThat(r.poll()).isEmpty();
        }
        assertThat(r.rejected()).isEqualTo(1);
        Files.writeString(file, "rules:\n  layer-download: {severity: LOW}\n");
        assertThat(r.poll()).isEmpty(); // back unchanged: nothing to broadcast
        Files.delete(file);
        assertThat(r.poll()).isEmpty();
        assertThat(r.rejected()).isEqualTo(2); // gone again: reported again
    }

    @Test
    void theBuiltInRulesUriIsNoEmptyFile() {
        RulesSource builtIn = new RulesSource(StreamingOptions.BUILT_IN_RULES, null);
        assertThat(builtIn.parseReload(builtIn.read()).rule("layer-download")).isNotNull();
    }
}
