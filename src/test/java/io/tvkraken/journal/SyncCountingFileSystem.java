package io.tvkraken.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.store.fs.FileBase;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * An H2 file system for tests, {@code synccount:} before a path in a JDBC URL, over H2's default one: it counts the
 * forces (fsync) of the database file ({@code .mv.db}), the calls that put its writes on stable storage, and can be
 * told to fail them, as a disk that cannot keep what it was given.
 */
public final class SyncCountingFileSystem extends FilePathWrapper {

    public static final String PREFIX = "synccount:";
    private static final SyncCountingFileSystem INSTANCE = new SyncCountingFileSystem();
    private static final AtomicInteger FORCES = new AtomicInteger();
    private static final AtomicBoolean FAIL = new AtomicBoolean();

    /** Makes {@code synccount:} known to H2 in this JVM (once is enough). */
    public static void register() {
        FilePath.register(INSTANCE);
    }

    /** Forces of a database file so far, in this JVM. */
    public static int forces() {
        return FORCES.get();
    }

    /** From now on, a force of a database file fails with an IOException (until told otherwise). */
    public static void failForces(boolean fail) {
        FAIL.set(fail);
    }

    @Override
    public String getScheme() {
        return "synccount";
    }

    @Override
    public FileChannel open(String mode) throws IOException {
        return new Counted(getBase().open(mode), name.endsWith(".mv.db"));
    }

    private static final class Counted extends FileBase {

        private final FileChannel file;
        private final boolean database;

        Counted(FileChannel file, boolean database) {
            this.file = file;
            this.database = database;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            if (database && FAIL.get()) {
                throw new IOException("Input/output error (a test's disk that cannot keep its writes)");
            }
            file.force(metaData);
            if (database) {
                FORCES.incrementAndGet();
            }
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return file.read(dst);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return file.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return file.write(src);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return file.write(src, position);
        }

        @Override
        public long position() throws IOException {
            return file.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            file.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            file.truncate(size);
            return this;
        }

        @Override
        public synchronized FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return file.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            file.close();
        }
    }
}
