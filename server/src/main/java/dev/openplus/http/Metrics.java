package dev.openplus.http;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.jetty.util.thread.ThreadPool;

import dev.openplus.db.Database;
import dev.openplus.jsonapi.ResourceEndpoints;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jetty.JettyServerThreadPoolMetrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The Prometheus registry of one running server: HTTP requests (recorded by {@link HttpServer}), JVM
 * (memory, GC, threads, classes), process (CPU, open files, uptime), the connection pool, Jetty's thread
 * pool and the token endpoint's outcomes (recorded by the token service).
 */
public final class Metrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Database database;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    public Metrics(Database database) {
        this.database = database;
        JvmGcMetrics gc = new JvmGcMetrics();
        closeables.add(gc);
        for (MeterBinder binder : List.of(new JvmMemoryMetrics(), gc, new JvmThreadMetrics(), new ClassLoaderMetrics(),
                new ProcessorMetrics(), new FileDescriptorMetrics(), new UptimeMetrics())) {
            binder.bindTo(registry);
        }
        database.bindMetrics(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Jetty's request thread pool: threads busy, idle, the configured bounds and the queue. */
    public void bindJetty(ThreadPool threadPool) {
        new JettyServerThreadPoolMetrics(threadPool, Tags.empty()).bindTo(registry);
    }

    /**
     * Fetches by id answered by shared statements: the statements and the fetches, whose ratio is the mean
     * batch (docs/operations.md, "Batched fetches").
     */
    public void bindFetchBatches(ResourceEndpoints resources) {
        FunctionCounter.builder("openplus.fetch.batch.statements", resources, ResourceEndpoints::batchedFetchStatements)
                .description("Statements that read fetches by id together").register(registry);
        FunctionCounter.builder("openplus.fetch.batch.fetches", resources, ResourceEndpoints::batchedFetches)
                .description("Fetches by id answered by those statements").register(registry);
        FunctionCounter.builder("openplus.fetch.batch.handoffs", resources, ResourceEndpoints::batchedFetchHandOffs)
                .description("Times a hand-off thread took over a scope's queued fetches").register(registry);
        Gauge.builder("openplus.fetch.batch.statements.running", resources,
                ResourceEndpoints::batchedFetchStatementsRunning)
                .description("Batched fetch statements in flight (at most the connection pool's size)")
                .register(registry);
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        database.unbindMetrics(registry);
        for (AutoCloseable closeable : closeables) {
            try {
                closeable.close();
            } catch (Exception e) {
                // Closing a GC listener cannot fail in a way worth reporting at shutdown.
            }
        }
        registry.close();
    }
}
