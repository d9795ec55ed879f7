package io.tvkraken.journal;

import io.tvkraken.InvalidConfigurationException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The embedded journal serves one instance: its kill switch, nonces and rate counters are kept in that instance's
 * memory (docs/replicas.md). SQLite itself would let a second process open the file, so the folder is locked (an
 * operating-system lock on {@code journal.lock}, released when the process ends however it ends) and a second
 * instance on the same {@code DATA_DIR} is refused at start-up.
 */
final class EmbeddedLock {

    private final FileChannel channel;
    private final FileLock lock;

    private EmbeddedLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @throws InvalidConfigurationException when another instance holds the folder, or it cannot be written
     */
    static EmbeddedLock take(Path dir) {
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve("journal.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return new EmbeddedLock(channel, lock);
            }
        } catch (OverlappingFileLockException sameProcess) {
            // held by another journal of this process: refused the same way
        } catch (IOException e) {
            close(channel);
            throw new InvalidConfigurationException("the embedded journal in " + dir + " cannot be opened: "
                    + e.getMessage());
        }
        close(channel);
        throw new InvalidConfigurationException("the embedded journal in " + dir + " is in use by another instance: "
                + "the embedded journal serves one instance only. Stop the other instance, give this one its own "
                + "DATA_DIR, or run several replicas on one PostgreSQL (DB_URL, docs/replicas.md)");
    }

    void release() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        close(channel);
    }

    private static void close(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing held
            }
        }
    }
}
