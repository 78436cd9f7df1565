package io.parkway.server.metrics;

import com.sun.management.UnixOperatingSystemMXBean;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import java.lang.management.ManagementFactory;

/**
 * JVM, process and Netty allocator metrics, from Micrometer's binders: {@code jvm_memory_*}, {@code jvm_gc_*},
 * {@code jvm_threads_*}, {@code jvm_classes_*}, {@code jvm_info}, {@code process_cpu_*}, {@code system_cpu_*},
 * {@code process_uptime_seconds}, {@code process_start_time_seconds}, {@code process_files_open_files} and
 * {@code process_files_max_files} (also under the Prometheus client's standard names {@code process_open_fds} and
 * {@code process_max_fds}, which common dashboards query), and {@code netty_allocator_*} for Netty's default allocator
 * (adaptive in Netty 4.2) and the pooled one, labelled {@code allocator_type}.
 *
 * <p>The TURN server's event loops are internal to it, so there are no event-loop metrics here.
 */
final class RuntimeMetrics implements AutoCloseable {

    private final JvmGcMetrics gc = new JvmGcMetrics();

    RuntimeMetrics(MeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os) {
            Gauge.builder("process.open.fds", os, UnixOperatingSystemMXBean::getOpenFileDescriptorCount)
                    .description("Open file descriptors (sockets included)")
                    .strongReference(true)
                    .register(registry);
            Gauge.builder("process.max.fds", os, UnixOperatingSystemMXBean::getMaxFileDescriptorCount)
                    .description("The limit of open file descriptors (LimitNOFILE)")
                    .strongReference(true)
                    .register(registry);
        }

        ByteBufAllocator defaultAllocator = ByteBufAllocator.DEFAULT;
        if (defaultAllocator instanceof ByteBufAllocatorMetricProvider provider) {
            new NettyAllocatorMetrics(provider).bindTo(registry);
        }
        if (defaultAllocator != PooledByteBufAllocator.DEFAULT) {
            new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
        }
    }

    /** Stops listening to GC notifications. */
    @Override
    public void close() {
        gc.close();
    }
}
