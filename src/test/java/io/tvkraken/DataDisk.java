package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small disk of its own for a test's {@code DATA_DIR}: a tmpfs of a fixed size mounted on {@code dir} in a private
 * user and mount namespace. Creating those needs no privilege (util-linux's {@code unshare -Urm}), so the test runs the
 * same as root and as CI's unprivileged user. A holder process keeps the namespaces alive; the application is started
 * inside them ({@link #launcher()}: {@code nsenter}), and so are the commands that fill the disk, free it, or remount it
 * read-only. The remount applies to root as well, unlike file permissions — and inside the namespace the application
 * is root.
 */
final class DataDisk implements AutoCloseable {

    private static final List<String> TOOLS = List.of("unshare", "nsenter", "mount", "dd", "truncate", "rm");
    private static final String FILLER = ".filler";

    private final Path dir;
    private final Process holder;

    private DataDisk(Path dir, Process holder) {
        this.dir = dir;
        this.holder = holder;
    }

    /**
     * Mounts a tmpfs of {@code size} (mount's notation, e.g. {@code 6m}) on the empty directory {@code dir}. Fails — it
     * does not skip — when the tools are missing or the kernel refuses unprivileged user namespaces: the test this
     * serves would otherwise prove nothing while looking green.
     */
    static DataDisk mount(Path dir, String size, Path holderOutput) throws IOException, InterruptedException {
        List<String> missing = TOOLS.stream().filter(tool -> onPath(tool) == null).toList();
        assertThat(missing).as("tools this test needs to give the service a small disk of its own (Debian: "
                + "apt-get install util-linux coreutils); missing from PATH " + System.getenv("PATH")).isEmpty();
        Path real = dir.toRealPath();
        Process holder = new ProcessBuilder("unshare", "-Urm", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs -o size=" + size + " tmpfs \"$0\" && exec sleep 3600", real.toString())
                .redirectErrorStream(true).redirectOutput(holderOutput.toFile()).start();
        DataDisk disk = new DataDisk(real, holder);
        long until = System.currentTimeMillis() + 10_000;
        while (!disk.mounted()) {
            if (!holder.isAlive() || System.currentTimeMillis() > until) {
                disk.close();
                throw new AssertionError("could not mount a tmpfs on " + real + " in a user and mount namespace "
                        + "of its own (unshare -Urm; are unprivileged user namespaces allowed? sysctl "
                        + "user.max_user_namespaces, kernel.unprivileged_userns_clone, and AppArmor's "
                        + "kernel.apparmor_restrict_unprivileged_userns): "
                        + Files.readString(holderOutput, StandardCharsets.UTF_8));
            }
            Thread.sleep(20);
        }
        return disk;
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

    private boolean mounted() throws IOException {
        Path mountInfo = Path.of("/proc", Long.toString(holder.pid()), "mountinfo");
        if (!Files.exists(mountInfo)) {
            return false;
        }
        try {
            // mountinfo: "id parent major:minor root mount-point options - fstype source super-options"
            return Files.readAllLines(mountInfo).stream().map(line -> line.split(" "))
                    .anyMatch(f -> f.length > 4 && f[4].equals(dir.toString()) && List.of(f).contains("tmpfs"));
        } catch (IOException holderGone) {
            return false;
        }
    }

    Path dir() {
        return dir;
    }

    /**
     * The command prefix that runs a program on this disk: {@code nsenter} joins the namespaces and execs it, in this
     * process's working directory (joining a mount namespace moves to its root; the application reads
     * {@code ./application.properties} and {@code ./routes}).
     */
    List<String> launcher() {
        return List.of("nsenter", "--preserve-credentials", "-U", "-m", "-t", Long.toString(holder.pid()),
                "--wd=" + Path.of("").toAbsolutePath());
    }

    /** Runs {@code script} with sh inside the namespaces; fails with its output unless it exits 0. */
    String run(String script) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(launcher());
        command.addAll(List.of("sh", "-c", script, dir.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", script).isTrue();
        assertThat(process.exitValue()).as("%s exited with: %s", script, output).isZero();
        return output;
    }

    /** Free space on the disk, in KiB. */
    long availableKiB() throws IOException, InterruptedException {
        String[] lines = run("df -Pk \"$0\"").trim().split("\n");
        return Long.parseLong(lines[lines.length - 1].trim().split("\\s+")[3]);
    }

    /**
     * Fills the disk with a file of zeros, then gives back {@code leaveKiB}: what is written after that fails for want
     * of space once those KiB are used up. {@link #free()} deletes the file again.
     */
    void fill(int leaveKiB) throws IOException, InterruptedException {
        // dd stops, failing, when the disk is full: that is the point
        run("dd if=/dev/zero of=\"$0/" + FILLER + "\" bs=64k 2>/dev/null; test -s \"$0/" + FILLER + "\" && "
                + "truncate -s -" + leaveKiB + "K \"$0/" + FILLER + "\"");
    }

    /** Deletes the filler file: the operator freed space. */
    void free() throws IOException, InterruptedException {
        run("rm -f \"$0/" + FILLER + "\"");
    }

    void remountReadOnly() throws IOException, InterruptedException {
        // with -t and a source: util-linux 2.38's "mount -o remount,ro DIR" fails inside a user namespace
        run("mount -t tmpfs -o remount,ro tmpfs \"$0\"");
    }

    void remountReadWrite() throws IOException, InterruptedException {
        run("mount -t tmpfs -o remount,rw tmpfs \"$0\"");
    }

    /** Ends the holder: once nothing runs in the namespaces any more, the tmpfs and what it holds are gone. */
    @Override
    public void close() throws InterruptedException {
        holder.destroy();
        if (!holder.waitFor(10, TimeUnit.SECONDS)) {
            holder.destroyForcibly();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
