package dev.outdial.schedule;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes the dispatcher when new work may be due, so it need not poll busily: intake on this node
 * signals directly, other nodes through PostgreSQL NOTIFY (see {@link WorkListener}). A call's end
 * wakes it too, but only to fill the place it freed on its line ({@link #freed()}).
 */
public final class WorkSignal implements Runnable {
    /** What ended a wait: new work (it wins over a freed place), a freed place, or the timeout. */
    enum Wake { NEW_WORK, FREED, TIMEOUT }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean pending;
    private boolean freed;

    /** Marks new work as pending and wakes a waiter. */
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

    /** A live call ended: its line has a place free. */
    void freed() {
        lock.lock();
        try {
            freed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until signalled or the timeout passes; consumes the signals. */
    Wake await(long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (!pending && !freed && left > 0) {
                left = changed.awaitNanos(left);
            }
            Wake wake = pending ? Wake.NEW_WORK : freed ? Wake.FREED : Wake.TIMEOUT;
            pending = false;
            freed = false;
            return wake;
        } finally {
            lock.unlock();
        }
    }

    Wake awaitMillis(long ms) throws InterruptedException {
        return await(TimeUnit.MILLISECONDS.toNanos(ms));
    }
}
