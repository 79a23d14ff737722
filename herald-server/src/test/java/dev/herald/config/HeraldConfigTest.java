package dev.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HeraldConfigTest {
    private static final String ADMIN_TOKEN = "hadm_0123456789abcdefSECRET";

    @Test
    void defaultsAreTheOnesDesignMdPromises() {
        HeraldConfig c = HeraldConfig.defaults();

        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.bind()).isEqualTo("0.0.0.0");
        assertThat(c.dataDir()).isEqualTo(Path.of("./herald-data").normalize());
        assertThat(c.databaseUrl()).isEmpty();
        assertThat(c.usesPostgres()).isFalse();
        assertThat(c.adminToken()).isEmpty();
        assertThat(c.allowPrivateTargets()).isFalse();
        assertThat(c.userAgent()).isEqualTo("Herald-Webhook-Sender/1.0");
        assertThat(c.retention()).isEqualTo(Duration.ofDays(7));
        assertThat(c.encryptionKeyFile()).isEmpty();
        assertThat(c.encryptionOldKeysFile()).isEmpty();
    }

    @Test
    void blankValuesTakeTheirDefaults() {
        HeraldConfig c = HeraldConfig.from(Map.of(HeraldConfig.PORT, "  ", HeraldConfig.USER_AGENT, " ",
                HeraldConfig.RETENTION, ""));

        assertThat(c).isEqualTo(HeraldConfig.defaults());
    }

    @Test
    void readsEverySetting() {
        HeraldConfig c = HeraldConfig.from(Map.ofEntries(
                Map.entry("HERALD_PORT", " 9090 "),
                Map.entry("HERALD_BIND", "127.0.0.1"),
                Map.entry("HERALD_DATA_DIR", "/var/lib/herald"),
                Map.entry("HERALD_DATABASE_URL", "postgresql://herald@db/herald"),
                Map.entry("HERALD_ADMIN_TOKEN", ADMIN_TOKEN),
                Map.entry("HERALD_ALLOW_PRIVATE_TARGETS", "TRUE"),
                Map.entry("HERALD_USER_AGENT", "Acme-Hooks/2.0"),
                Map.entry("HERALD_RETENTION", "12h"),
                Map.entry("HERALD_RETENTION_FAILED", "90d"),
                Map.entry("HERALD_MAX_ENDPOINTS_PER_TENANT", "20"),
                Map.entry("HERALD_ENCRYPTION_KEY_FILE", "/etc/herald/key"),
                Map.entry("HERALD_ENCRYPTION_OLD_KEYS_FILE", "/etc/herald/old-keys")));

        assertThat(c).isEqualTo(new HeraldConfig(9090, "127.0.0.1", Path.of("/var/lib/herald"), Optional.of("postgresql://herald@db/herald"),
                Optional.of(ADMIN_TOKEN), true, "Acme-Hooks/2.0", Duration.ofHours(12), Duration.ofDays(90), 20,
                Optional.of(Path.of("/etc/herald/key")), Optional.of(Path.of("/etc/herald/old-keys")), Optional.empty(), "'self'", "Herald", "#2563eb", Duration.ofDays(5),
                Optional.empty(), Optional.empty(), Optional.empty(), java.util.List.of()));
        assertThat(c.usesPostgres()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({"0", "1", "65535"})
    void acceptsEveryPortNumber(String port) {
        assertThat(HeraldConfig.from(Map.of("HERALD_PORT", port)).port()).isEqualTo(Integer.parseInt(port));
    }

    @ParameterizedTest
    @CsvSource({"true, true", "1, true", "yes, true", "false, false", "0, false", "no, false"})
    void readsAllowPrivateTargets(String value, boolean expected) {
        assertThat(HeraldConfig.from(Map.of("HERALD_ALLOW_PRIVATE_TARGETS", value)).allowPrivateTargets()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"500ms, PT0.5S", "90s, PT1M30S", "30m, PT30M", "12h, PT12H", "7d, PT168H"})
    void parsesDurations(String text, String expected) {
        assertThat(HeraldConfig.parseDuration("HERALD_RETENTION", text, "from 1h to 3650d")).isEqualTo(Duration.parse(expected));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "HERALD_PORT                  | -1        | from 0 to 65535",
            "HERALD_PORT                  | 70000     | from 0 to 65535",
            "HERALD_PORT                  | abc       | from 0 to 65535",
            "HERALD_RETENTION             | 5x        | from 1h to 3650d",
            "HERALD_RETENTION             | 0d        | from 1h to 3650d",
            "HERALD_RETENTION             | 4000d     | from 1h to 3650d",
            "HERALD_RETENTION             | 59m       | from 1h to 3650d",
            "HERALD_RETENTION_FAILED      | 30        | from 1h to 3650d",
            "HERALD_RETENTION_FAILED      | 10m       | from 1h to 3650d",
            "HERALD_MAX_ENDPOINTS_PER_TENANT | 0      | from 1 to 10000",
            "HERALD_MAX_ENDPOINTS_PER_TENANT | many   | from 1 to 10000",
            "HERALD_ALLOW_PRIVATE_TARGETS | maybe     | true or false",
            "HERALD_ADMIN_TOKEN           | short     | at least 16 characters",
            "HERALD_DATABASE_URL          | mysql://x | postgresql://",
            "HERALD_USER_AGENT            | Bad\u0007Agent | printable ASCII",
            "HERALD_BIND                  | 0.0.0.0:8080 | an IP address",
            "HERALD_BIND                  | http://localhost | an IP address",
            "HERALD_BIND                  | no-such-host.invalid | a host name that resolves",
            "HERALD_BIND                  | 300.1.2.3 | a host name that resolves",
            "HERALD_BIND                  | a b       | an IP address",
    })
    void aBadValueNamesTheSettingAndWhatItAccepts(String setting, String value, String accepted) {
        assertThatThrownBy(() -> HeraldConfig.from(Map.of(setting, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(setting)
                .hasMessageContaining(accepted);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "HERALD_RETENTION | 10m",
            "HERALD_RETENTION | 59M",
            "HERALD_RETENTION | 4000d",
            "HERALD_RETENTION | 3599s",
            "HERALD_PORT      | 070000",
            "HERALD_RETENTION | 5x",
            "HERALD_PORT      | 70000",
            "HERALD_PORT      | abc",
            "HERALD_BIND      | nowhere.invalid",
    })
    void aBadValueIsShownAsItWasTyped(String setting, String value) {
        assertThatThrownBy(() -> HeraldConfig.from(Map.of(setting, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'" + value + "'")
                .hasMessageNotContaining("PT");
    }

    @ParameterizedTest
    @CsvSource({"0.0.0.0", "127.0.0.1", "::", "::1", "localhost"})
    void bindsToAnIpAddressOrAHostNameThatResolves(String bind) {
        assertThat(HeraldConfig.from(Map.of("HERALD_BIND", bind)).bind()).isEqualTo(bind);
    }

    @Test
    void aBlankUserAgentIsRefused() {
        // why: from() reads a blank variable as unset; a flag or caller can still hand a blank one over
        assertThatThrownBy(() -> new HeraldConfig(8080, "0.0.0.0", Path.of("herald-data"), Optional.empty(), Optional.empty(), false, " ",
                Duration.ofDays(7), Duration.ofDays(30), 100, Optional.empty(), Optional.empty(), Optional.empty(), "'self'", "Herald", "#2563eb", Duration.ofDays(5),
                Optional.empty(), Optional.empty(), Optional.empty(), java.util.List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("HERALD_USER_AGENT")
                .hasMessageContaining("not blank");
    }

    @Test
    void theAdminTokenCanBeReadFromAFileWithoutItsTrailingNewline(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("token");
        Files.writeString(file, ADMIN_TOKEN + "\n");
        assertThat(HeraldConfig.from(Map.of("HERALD_ADMIN_TOKEN_FILE", file.toString())).adminToken()).contains(ADMIN_TOKEN);
        Files.writeString(file, ADMIN_TOKEN + "\r\n");
        assertThat(HeraldConfig.from(Map.of("HERALD_ADMIN_TOKEN_FILE", file.toString())).adminToken()).contains(ADMIN_TOKEN);
        Files.writeString(file, ADMIN_TOKEN);
        assertThat(HeraldConfig.from(Map.of("HERALD_ADMIN_TOKEN_FILE", file.toString())).adminToken()).contains(ADMIN_TOKEN);
    }

    @Test
    void anAdminTokenFileThatCannotBeUsedNamesTheSettingAndNeverShowsTheToken(@TempDir Path tmp) throws Exception {
        Path missing = tmp.resolve("missing");
        assertThatThrownBy(() -> HeraldConfig.from(Map.of("HERALD_ADMIN_TOKEN_FILE", missing.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("HERALD_ADMIN_TOKEN_FILE")
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> HeraldConfig.from(Map.of("HERALD_ADMIN_TOKEN_FILE", tmp.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("HERALD_ADMIN_TOKEN_FILE");
        for (String content : new String[] {"short-secret\n", "", "\n", " " + ADMIN_TOKEN, ADMIN_TOKEN + "\n\n",
                ADMIN_TOKEN + "\nsecond-line-secret"}) {
            Path file = tmp.resolve("bad");
            Files.writeString(file, content);
            assertThatThrownBy(() -> HeraldConfig.from(Map.of("HERALD_ADMIN_TOKEN_FILE", file.toString())))
                    .as(content)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("HERALD_ADMIN_TOKEN_FILE")
                    .hasMessageContaining("at least 16 characters")
                    .hasMessageNotContaining("short-secret")
                    .hasMessageNotContaining(ADMIN_TOKEN)
                    .hasMessageNotContaining("second-line-secret");
        }
        if (!System.getProperty("user.name").equals("root")) {
            Path unreadable = tmp.resolve("unreadable");
            Files.writeString(unreadable, ADMIN_TOKEN);
            Files.setPosixFilePermissions(unreadable, java.util.Set.of());
            assertThatThrownBy(() -> HeraldConfig.from(Map.of("HERALD_ADMIN_TOKEN_FILE", unreadable.toString())))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("permission denied");
        }
    }

    @Test
    void theAdminTokenAndItsFileTogetherAreAnError(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("token");
        Files.writeString(file, ADMIN_TOKEN + "\n");
        assertThatThrownBy(() -> HeraldConfig.from(Map.of("HERALD_ADMIN_TOKEN_FILE", file.toString(),
                "HERALD_ADMIN_TOKEN", "another-token-0123456789")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("HERALD_ADMIN_TOKEN and HERALD_ADMIN_TOKEN_FILE are both set")
                .hasMessageNotContaining("another-token-0123456789");
    }

    @Test
    void oldKeysWithoutACurrentKeyAreRefused() {
        assertThatThrownBy(() -> HeraldConfig.from(Map.of("HERALD_ENCRYPTION_OLD_KEYS_FILE", "/etc/herald/old-keys")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HERALD_ENCRYPTION_OLD_KEYS_FILE is set but HERALD_ENCRYPTION_KEY_FILE is not");
    }

    @Test
    void theRetentionBoundsThemselvesAreAccepted() {
        assertThat(HeraldConfig.from(Map.of("HERALD_RETENTION", "1h")).retention()).isEqualTo(Duration.ofHours(1));
        assertThat(HeraldConfig.from(Map.of("HERALD_RETENTION", "3650d")).retention()).isEqualTo(Duration.ofDays(3650));
    }

    @Test
    void toStringNeverShowsTheAdminTokenOrADatabasePassword() {
        HeraldConfig url = HeraldConfig.from(Map.of("HERALD_ADMIN_TOKEN", ADMIN_TOKEN,
                "HERALD_DATABASE_URL", "postgresql://herald:pw-in-userinfo@db:5432/herald?sslmode=require"));
        HeraldConfig jdbc = HeraldConfig.from(Map.of("HERALD_ADMIN_TOKEN", ADMIN_TOKEN,
                "HERALD_DATABASE_URL", "jdbc:postgresql://db:5432/herald?user=herald&password=pw-in-query&ssl=true"));

        assertThat(url.toString()).doesNotContain(ADMIN_TOKEN).doesNotContain("pw-in-userinfo").contains("db:5432/herald");
        assertThat(jdbc.toString()).doesNotContain(ADMIN_TOKEN).doesNotContain("pw-in-query").contains("db:5432/herald");
    }

    @Test
    void theNewerSettingsHaveTheirDefaults() {
        HeraldConfig c = HeraldConfig.defaults();

        assertThat(c.publicUrl(8080)).isEqualTo("http://localhost:8080");
        assertThat(c.portalFrameAncestors()).isEqualTo("'self'");
        assertThat(c.portalTitle()).isEqualTo("Herald");
        assertThat(c.portalAccent()).isEqualTo("#2563eb");
        assertThat(c.pauseFailingAfter()).isEqualTo(Duration.ofDays(5));
        assertThat(c.operatorTenant()).isEmpty();
        assertThat(c.otelEndpoint()).isEmpty();
        assertThat(c.proxyUrl()).isEmpty();
        assertThat(c.noProxy()).isEmpty();
    }

    @Test
    void readsTheNewerSettings() {
        HeraldConfig c = HeraldConfig.from(Map.of(
                "HERALD_PUBLIC_URL", "https://hooks.example.com/",
                "HERALD_PORTAL_FRAME_ANCESTORS", "'self' https://app.example.com https://*.example.org:443",
                "HERALD_PORTAL_TITLE", "Acme Webhooks",
                "HERALD_PORTAL_ACCENT", "#0a7",
                "HERALD_PAUSE_FAILING_AFTER", "0",
                "HERALD_OPERATOR_TENANT", "ops",
                "HERALD_OTEL_ENDPOINT", "http://127.0.0.1:4318",
                "HERALD_PROXY_URL", "http://user:secret@proxy.internal:3128",
                "HERALD_NO_PROXY", "internal.example, .corp.example , 10.0.0.1"));

        assertThat(c.publicUrl(8080)).isEqualTo("https://hooks.example.com");
        assertThat(c.portalAccent()).isEqualTo("#0a7");
        assertThat(c.pauseFailingAfter()).isZero();
        assertThat(c.operatorTenant()).contains("ops");
        assertThat(c.noProxy()).containsExactly("internal.example", ".corp.example", "10.0.0.1");
        assertThat(c.toString()).doesNotContain("secret").contains("pauseFailingAfter=never");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "HERALD_PUBLIC_URL             | ftp://x        | http:// or https://",
            "HERALD_PUBLIC_URL             | https://x/?a=1 | query",
            "HERALD_PORTAL_FRAME_ANCESTORS | 'self'; script-src * | CSP sources",
            "HERALD_PORTAL_TITLE           | a\\007b | control characters",
            "HERALD_PORTAL_ACCENT          | red            | #rgb or #rrggbb",
            "HERALD_PAUSE_FAILING_AFTER    | 30s            | 0 (never) or from 1m",
            "HERALD_OPERATOR_TENANT        | -ops           | tenant id",
            "HERALD_PROXY_URL              | socks5://p:1080 | http:// or https://",
            "HERALD_NO_PROXY               | a b            | comma-separated",
            "HERALD_NO_PROXY               | 10.0.0.0/33    | IP blocks",
            "HERALD_NO_PROXY               | fd00::/129     | IP blocks",
            "HERALD_NO_PROXY               | abc.def/8      | IP blocks",
    })
    void aBadNewerSettingNamesItself(String setting, String value, String accepted) {
        assertThatThrownBy(() -> HeraldConfig.from(Map.of(setting, value.translateEscapes())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(setting)
                .hasMessageContaining(accepted);
    }

    @Test
    void everySettingHasOneFlagAndEveryVariableIsInTheTable() throws Exception {
        java.util.Set<String> variables = new java.util.TreeSet<>();
        for (var f : HeraldConfig.class.getFields()) {
            if (f.getType() == String.class && f.getName().equals(f.getName().toUpperCase(java.util.Locale.ROOT))
                    && String.valueOf(f.get(null)).startsWith("HERALD_")) {
                variables.add((String) f.get(null));
            }
        }

        assertThat(Setting.ALL).extracting(Setting::variable).containsExactlyInAnyOrderElementsOf(variables);
        assertThat(Setting.ALL).extracting(Setting::flag).doesNotHaveDuplicates();
    }
}
