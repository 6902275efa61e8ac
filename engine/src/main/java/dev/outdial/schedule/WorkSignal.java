package dev.outdial.schedule;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes the dispatcher when new work may be due, so it need not poll busily: intake on this node
 * signals directly, other nodes through PostgreSQL NOTIFY (see {@link WorkListener}).
 */
public final class WorkSignal implements Runnable {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean pending;

    /** Marks work as pending and wakes a waiter. */
    @Override
    public void run() {
        lock.lock();
        try {
            pending = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until signalled or the timeout passes; consumes the signal. */
    void await(long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (!pending && left > 0) {
                left = changed.awaitNanos(left);
            }
            pending = false;
        } finally {
            lock.unlock();
        }
    }

    void awaitMillis(long ms) throws InterruptedException {
        await(TimeUnit.MILLISECONDS.toNanos(ms));
    }
}
