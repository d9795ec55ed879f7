package io.tvkraken.deadletter;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead letters on disk under {@code DATA_DIR/dead-letters}, one JSON file each. A letter is written to a temporary
 * file, forced to the disk, then renamed into place, so that a crash leaves either the whole letter or none of it;
 * the directory is forced too so that the rename itself survives a power cut.
 */
public class DeadLetterStore {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterStore.class);

    private final Path dir;
    private final ObjectMapper json;

    public DeadLetterStore(Path dataDir, ObjectMapper json) {
        this.dir = dataDir.resolve("dead-letters");
        this.json = json;
    }

    public Path directory() {
        return dir;
    }

    public void save(DeadLetter letter) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(letter.id() + ".json.tmp");
            byte[] bytes = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(letter);
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(bytes));
                channel.force(true);
            }
            Path target = dir.resolve(letter.id() + ".json");
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            forceDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("dead letter " + letter.id() + " could not be stored in " + dir, e);
        }
    }

    /** Oldest first. Unreadable files are skipped with a warning, never dropped. */
    public List<DeadLetter> pending() {
        List<DeadLetter> letters = new ArrayList<>();
        for (Path file : letterFiles()) {
            try {
                letters.add(json.readValue(file.toFile(), DeadLetter.class));
            } catch (IOException e) {
                LOG.warn("dead letter file {} is unreadable: {}", file.getFileName(), e.getMessage());
            }
        }
        letters.sort(Comparator.comparing(DeadLetter::receivedAt).thenComparing(DeadLetter::id));
        return letters;
    }

    /**
     * How many letters are stored, readable or not, without parsing them: this is read on every /metrics scrape
     * and /status call.
     */
    public int count() {
        return letterFiles().size();
    }

    private List<Path> letterFiles() {
        if (!Files.exists(dir)) {
            return List.of();
        }
        if (!Files.isDirectory(dir)) {
            // A broken store must not look like an empty one.
            throw new UncheckedIOException(new NotDirectoryException(dir.toString()));
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void forceDirectory() {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Some file systems cannot open a directory for fsync; the rename is still atomic there.
            LOG.debug("directory fsync not supported for {}", dir);
        }
    }
}
