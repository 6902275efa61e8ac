package dev.outdial.api;

import dev.outdial.api.dialect.dasha.CallsRoutes;
import dev.outdial.api.dialect.elevenlabs.BatchCallingRoutes;
import dev.outdial.api.dialect.happyrobot.DialRoutes;
import dev.outdial.api.dialect.weya.WeyaRoutes;
import dev.outdial.campaign.Agents;
import dev.outdial.campaign.Batches;
import dev.outdial.campaign.Calls;
import dev.outdial.campaign.Intake;
import dev.outdial.campaign.Lines;
import dev.outdial.campaign.Organizations;
import dev.outdial.store.Database;
import io.javalin.Javalin;
import java.time.Clock;
import java.util.Set;
import java.util.function.BooleanSupplier;

/** The HTTP front door: the native {@code /v1} API and {@code /health}, on Javalin with virtual threads. */
public final class HttpApi implements AutoCloseable {
    /** Largest request body: 100,000 recipients with variables fit well within it. */
    private static final long MAX_REQUEST_BYTES = 128L * 1024 * 1024;

    private final Javalin app;

    /** The services the routes call; the API itself holds no SQL and no state. */
    public record Services(Database db, Clock clock, Organizations organizations, Agents agents, Lines lines,
                           Batches batches, Calls calls, Intake intake, dev.outdial.campaign.DoNotCall dnc, Set<String> providers,
                           dev.outdial.webhook.WebhookEndpoints webhooks) {
    }

    public HttpApi(Services s, BooleanSupplier ready) {
        Auth auth = new Auth(s.organizations());
        Idempotency idempotency = new Idempotency(s.db(), s.clock());
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.concurrency.useVirtualThreads = true;
            config.http.maxRequestSize = MAX_REQUEST_BYTES;
            config.router.ignoreTrailingSlashes = true;
            config.http.prefer405over404 = true;
            Problems.register(config.routes);
            byte[] openapi = OpenApi.json();
            config.routes.get("/openapi.json", ctx -> ctx.status(200).contentType("application/json").result(openapi));
            config.routes.get("/health", ctx -> {
                boolean ok = ready.getAsBoolean();
                Http.json(ctx, ok ? 200 : 503, java.util.Map.of("status", ok ? "ok" : "starting"));
            });
            // Dialects first: their before-handlers answer a missing key in the vendor's own error shape.
            new BatchCallingRoutes(auth, s.intake(), s.batches(), s.calls(), s.agents(), s.lines()).register(config.routes);
            new CallsRoutes(auth, s.clock(), s.intake(), s.calls(), s.lines()).register(config.routes);
            new WeyaRoutes(auth, s.intake(), s.batches(), s.lines()).register(config.routes);
            new DialRoutes(auth, s.clock(), s.intake(), s.calls(), s.agents(), s.lines(), s.webhooks()).register(config.routes);
            config.routes.before("/v1/*", auth::require);
            new OrganizationRoutes(s.organizations()).register(config.routes);
            new AgentRoutes(s.agents(), idempotency, s.webhooks()).register(config.routes);
            new LineRoutes(s.lines(), idempotency, s.providers()).register(config.routes);
            new BatchRoutes(s.intake(), s.batches(), s.calls(), idempotency).register(config.routes);
            new DoNotCallRoutes(s.dnc(), idempotency).register(config.routes);
            new WebhookRoutes(s.webhooks(), new dev.outdial.webhook.WebhookDeliveries(s.db(), s.clock(), s.webhooks()), idempotency)
                    .register(config.routes);
        });
    }

    /** Starts listening; port 0 picks a free port. Says clearly when the port is taken. */
    public HttpApi start(String host, int port) {
        try {
            app.start(host, port);
        } catch (RuntimeException e) {
            Throwable t = e;
            while (t != null && !(t instanceof java.net.BindException)) t = t.getCause();
            if (t != null) {
                throw new dev.outdial.store.StartupException("Port " + port + " is in use; pass --port (or OUTDIAL_PORT) with a free one", e);
            }
            throw e;
        }
        return this;
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
