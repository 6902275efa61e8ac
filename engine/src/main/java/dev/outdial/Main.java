package dev.outdial;

import dev.outdial.config.OutdialConfig;
import dev.outdial.store.StartupException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The command line: {@code serve}, {@code demo}, {@code keys create}, {@code version}. */
@Command(name = "outdial", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Self-hosted engine for outbound AI voice calls in batches.",
        subcommands = {Main.Serve.class, Demo.class, Main.Keys.class, Main.VersionCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        int code = new CommandLine(new Main())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (e instanceof StartupException) {
                        cmd.getErr().println("outdial: " + e.getMessage());
                        return 2;
                    }
                    throw e;
                })
                .execute(args);
        if (code != 0) System.exit(code);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Options every command that touches the database shares. */
    static final class Common {
        @Option(names = "--port", description = "HTTP port (default 8080, or OUTDIAL_PORT)")
        Integer port;
        @Option(names = "--data-dir", description = "data directory of the embedded database (default ./data, or OUTDIAL_DATA_DIR)")
        Path dataDir;
        @Option(names = "--db-url", description = "external PostgreSQL JDBC URL instead of the embedded one (or OUTDIAL_DB_URL)")
        String dbUrl;
        @Option(names = "--db-user", description = "external database user (or OUTDIAL_DB_USER)")
        String dbUser;
        @Option(names = "--db-password", description = "external database password (or OUTDIAL_DB_PASSWORD)")
        String dbPassword;

        OutdialConfig config() {
            OutdialConfig c = OutdialConfig.fromEnv(System.getenv());
            if (port != null) c = c.withPort(port);
            if (dataDir != null) c = c.withDataDir(dataDir);
            if (dbUrl != null || dbUser != null || dbPassword != null) {
                c = c.withDatabase(dbUrl != null ? dbUrl : c.dbUrl(), dbUser != null ? dbUser : c.dbUser(),
                        dbPassword != null ? dbPassword : c.dbPassword());
            }
            return c;
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Run an Outdial node: API, dispatcher, carriers.")
    static final class Serve implements Callable<Integer> {
        @CommandLine.Mixin
        Common common = new Common();

        @Override
        public Integer call() throws InterruptedException {
            Outdial node = Outdial.start(common.config());
            awaitShutdown(node);
            return 0;
        }
    }

    /** Blocks until the JVM is asked to stop, then stops the node in order. */
    static void awaitShutdown(Outdial node) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            done.countDown();
        }, "outdial-shutdown"));
        done.await();
    }

    @Command(name = "keys", mixinStandardHelpOptions = true, description = "Manage API keys.", subcommands = {KeysCreate.class})
    static final class Keys implements Runnable {
        @Override
        public void run() {
            new CommandLine(this).usage(System.out);
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an API key (and the organization if it does not exist); the key is shown once.")
    static final class KeysCreate implements Callable<Integer> {
        @CommandLine.Mixin
        Common common = new Common();
        @Option(names = "--org", description = "organization name (default: default)", defaultValue = "default")
        String org;
        @Option(names = "--name", description = "a label for the key", defaultValue = "")
        String name;

        @Override
        public Integer call() {
            OutdialConfig config = common.config().withDispatch(common.config().dispatch().withEnabled(false));
            try (var db = dev.outdial.store.Database.open(config)) {
                var orgs = new dev.outdial.campaign.Organizations(db, java.time.Clock.systemUTC());
                String orgId = orgs.findOrganizationByName(org).orElseGet(() -> orgs.createOrganization(org));
                var key = orgs.createKey(orgId, name);
                System.out.println("org_id: " + orgId);
                System.out.println("api_key: " + key.secret());
            }
            return 0;
        }
    }

    @Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version.")
    static final class VersionCommand implements Runnable {
        @Override
        public void run() {
            System.out.println("outdial " + Version.current());
        }
    }

    /** The version from the jar's manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        static String current() {
            String v = Main.class.getPackage().getImplementationVersion();
            return v == null ? "dev" : v;
        }

        @Override
        public String[] getVersion() {
            return new String[] {"outdial " + current()};
        }
    }
}
