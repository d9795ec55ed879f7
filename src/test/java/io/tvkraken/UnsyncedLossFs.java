package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * {@code src/test/fuse/unsynced-loss-fs.c}, built with gcc and mounted with FUSE: a folder whose writes that were not
 * synced are lost on {@link #cut()}, as a power cut loses them (docs/journal.md#power-cut-test). The mount is a FUSE
 * mount of the user running the test (fusermount3 is setuid root), seen by that user's processes only.
 */
final class UnsyncedLossFs implements AutoCloseable {

    static final Path SOURCE = Path.of("src", "test", "fuse", "unsynced-loss-fs.c");
    static final String CONTROL = ".unsynced-loss-fs";
    static final String PACKAGES = "fuse3 libfuse3-dev gcc pkg-config";
    /** Set by {@code .ci/run}: on CI a missing tool fails the test instead of skipping it. */
    static final String REQUIRED = "powercut.required";

    private final Path mountPoint;
    private final Process process;

    private UnsyncedLossFs(Path mountPoint, Process process) {
        this.mountPoint = mountPoint;
        this.process = process;
    }

    /**
     * The tools to build and mount the file system: skips the test when one is missing, unless the system property
     * {@value #REQUIRED} is true (CI), then fails it: a power-cut test that does not run proves nothing.
     */
    static void requireTools() throws IOException, InterruptedException {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("gcc", "pkg-config", "fusermount3")) {
            if (onPath(tool) == null) {
                missing.add(tool + " (not on PATH)");
            }
        }
        if (onPath("pkg-config") != null && run(List.of("pkg-config", "--exists", "fuse3")).exit() != 0) {
            missing.add("libfuse3's pkg-config file (fuse3.pc)");
        }
        Path fuse = Path.of("/dev/fuse");
        if (!Files.isReadable(fuse) || !Files.isWritable(fuse)) {
            missing.add("/dev/fuse (readable and writable)");
        }
        if (missing.isEmpty()) {
            return;
        }
        String message = "the power-cut test needs FUSE and a C compiler (Debian: apt-get install " + PACKAGES
                + "); missing: " + String.join(", ", missing);
        if (Boolean.getBoolean(REQUIRED)) {
            throw new AssertionError(message + " (-D" + REQUIRED + "=true: CI runs this test, it must not skip)");
        }
        Assumptions.abort(message);
    }

    /** Compiles the file system into {@code target/unsynced-loss-fs/} unless the binary is newer than its source. */
    static Path build() throws IOException, InterruptedException {
        Path binary = Path.of("target", "unsynced-loss-fs", "unsynced-loss-fs").toAbsolutePath();
        if (Files.exists(binary)
                && Files.getLastModifiedTime(binary).compareTo(Files.getLastModifiedTime(SOURCE)) > 0) {
            return binary;
        }
        Files.createDirectories(binary.getParent());
        Ran gcc = run(List.of("sh", "-c", "gcc -Wall -O2 \"$0\" $(pkg-config --cflags --libs fuse3) -o \"$1\"",
                SOURCE.toAbsolutePath().toString(), binary.toString()));
        assertThat(gcc.exit()).as("building %s: %s", SOURCE, gcc.output()).isZero();
        return binary;
    }

    /**
     * Mounts the file system on the empty folder {@code mountPoint}, passing through to {@code backing}; its messages
     * go to {@code log}. Returns once the mount answers.
     */
    static UnsyncedLossFs mount(Path binary, Path backing, Path mountPoint, Path log)
            throws IOException, InterruptedException {
        Process process = new ProcessBuilder(binary.toString(), backing.toString(), mountPoint.toString(), "-f")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        UnsyncedLossFs fs = new UnsyncedLossFs(mountPoint, process);
        long until = System.currentTimeMillis() + 15_000;
        while (!Files.exists(mountPoint.resolve(CONTROL))) {
            if (!process.isAlive() || System.currentTimeMillis() > until) {
                fs.close();
                throw new AssertionError("could not mount unsynced-loss-fs on " + mountPoint + ": "
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            Thread.sleep(20);
        }
        return fs;
    }

    /** The file system's counters (fsync, fdatasync, fsyncdir, writes, cut_pages...), read from its control file. */
    Map<String, Long> stats() throws IOException {
        Map<String, Long> stats = new LinkedHashMap<>();
        for (String line : Files.readAllLines(mountPoint.resolve(CONTROL), StandardCharsets.UTF_8)) {
            String[] field = line.split(" ");
            stats.put(field[0], Long.parseLong(field[1]));
        }
        return stats;
    }

    /** fsync and fdatasync calls on files since the mount. */
    long syncs() throws IOException {
        Map<String, Long> stats = stats();
        return stats.get("fsync") + stats.get("fdatasync");
    }

    /** The power cut: every write not synced is undone, and every later operation on the mount fails (EIO). */
    Map<String, Long> cut() throws IOException {
        Files.writeString(mountPoint.resolve(CONTROL), "cut", StandardCharsets.UTF_8);
        return stats();
    }

    /**
     * Arms the power cut for the next write on the mount: once that write is done, the file system kills {@code pid}
     * (SIGKILL) and cuts, before the write returns. Waits up to {@code patience} for it; whether it came.
     */
    boolean cutAtNextWrite(long pid, Duration patience) throws IOException, InterruptedException {
        Files.writeString(mountPoint.resolve(CONTROL), "arm " + pid, StandardCharsets.UTF_8);
        long until = System.currentTimeMillis() + patience.toMillis();
        while (stats().get("cut") == 0) {
            if (System.currentTimeMillis() > until) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }

    /** Unmounts (lazily if the mount is still busy) and waits for the file system's process to end. */
    @Override
    public void close() throws InterruptedException, IOException {
        try {
            if (run(List.of("fusermount3", "-u", mountPoint.toString())).exit() != 0) {
                run(List.of("fusermount3", "-u", "-z", mountPoint.toString()));
            }
        } finally {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** What a command printed (standard output and error) and its exit status. */
    record Ran(int exit, String output) {
    }

    private static Ran run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        return new Ran(process.exitValue(), output);
    }

    private static Path onPath(String tool) {
        for (String entry : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(entry, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
