package io.parkway.bench.jmh;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs JMH's benchmark threads as Netty {@link io.netty.util.concurrent.FastThreadLocalThread}s, like the server's
 * event loops (selected by the benchmarks' @Fork jvmArgsAppend: -Djmh.executor=CUSTOM -Djmh.executor.class=this class).
 * It matters for allocation: in Netty 4.2 the Recycler pools objects (pooled ByteBuf instances, their retained
 * slices) only on such threads, so on JMH's plain threads every pooled buffer and slice would be a new object and
 * -prof gc would report garbage the server does not make.
 */
public final class FastThreadLocalExecutor extends ThreadPoolExecutor {

    /** JMH's constructor contract for {@code jmh.executor=CUSTOM}: (max threads, thread name prefix). */
    public FastThreadLocalExecutor(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(prefix, true));
    }
}
