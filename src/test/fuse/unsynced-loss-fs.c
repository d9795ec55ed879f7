/*
 * unsynced-loss-fs: a FUSE file system that loses, on command, every write that was not synced — what a power cut
 * does to a disk whose cache the kernel had not yet flushed.
 *
 * Inspired by LazyFS (https://github.com/dsrhaslab/lazyfs), which Jepsen uses for the same purpose
 * (https://github.com/jepsen-io/jepsen/blob/main/jepsen/src/jepsen/lazyfs.clj): a file system in user space that
 * holds what was written until it is synced and drops it when told to. This one is much smaller, written for one test
 * suite, and keeps its model simple.
 *
 *   unsynced-loss-fs BACKING MOUNTPOINT [-f] [other FUSE options]
 *
 * Every operation is passed through to the directory BACKING. The model:
 *
 * - File data and size: a write or truncate since the file's last fsync/fdatasync is not durable. Before the first
 *   such change to a page since the last sync, the page's synced content is saved in memory (and the file's synced
 *   size); fsync or fdatasync of the file (through any of its open handles) syncs the backing file and forgets what
 *   was saved: from then on that content is what survives. A write to a file opened with O_SYNC or O_DSYNC comes
 *   as a write followed by an fsync or fdatasync: the kernel sends both.
 * - The cut: writing "cut" to the control file MOUNTPOINT/.unsynced-loss-fs puts every saved page back and every
 *   file back to its synced size — the unsynced writes are lost, synced ones kept — and from then on every operation
 *   on the mount fails with EIO (the disk has no power) until it is unmounted. The write returns once that is done.
 * - "arm PID" instead arms the cut for the next write to any file, by any process: that write is carried out, then
 *   the process PID is killed (SIGKILL) and the cut made, all before the write returns (it fails with EIO). The
 *   process whose disk loses power and the power cut are one instant: it cannot act on anything after that write.
 * - Names (create, mkdir, unlink, rename, link, symlink) are passed through at once and survive a cut, synced or not:
 *   gentler than POSIX, which makes a new name durable only with an fsync of its directory. A file created and
 *   written but never synced survives a cut as an empty file. fsync of a directory is passed through and counted.
 * - Not modelled: torn pages (a write is lost or kept whole), reordering within a sync, syncfs(2)/sync(2) (the kernel
 *   does not pass them to a FUSE file system), fallocate (refused with EOPNOTSUPP).
 *
 * Reading the control file gives the counters since the mount, one "name value" per line: fsync and fdatasync calls
 * on files, fsync calls on directories, writes, bytes written, what is unsynced now, and what the cut dropped. They
 * come whole from the first read (of at least 1 KiB), and a read at any later offset is the end of the file.
 *
 * Build: gcc -Wall -O2 unsynced-loss-fs.c $(pkg-config --cflags --libs fuse3) -o unsynced-loss-fs
 * (Debian: apt-get install fuse3 libfuse3-dev gcc pkg-config). Unmount: fusermount3 -u MOUNTPOINT.
 * The project's PowerCutTest builds and mounts it; docs/journal.md#power-cut-test says how to run it by hand.
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <unistd.h>

#define PAGE 4096
#define CONTROL "/.unsynced-loss-fs"

/* One page's content as of the file's last sync. */
struct saved_page {
    uint64_t index;
    uint32_t length; /* bytes of the page below the synced size */
    char *data;
};

/* A file changed since its last sync: its synced size and the synced content of each page changed since. */
struct unsynced {
    dev_t dev;
    ino_t ino;
    int fd; /* a read-write descriptor of the backing file, to put it back at the cut */
    off_t synced_size;
    struct saved_page *pages; /* sorted by index */
    size_t count, capacity;
    struct unsynced *next;
};

static int backing = -1;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct unsynced *files;
static int power_cut;
static pid_t armed; /* the process to kill at the next write, with the cut; 0 when not armed */
static struct {
    uint64_t fsync, fdatasync, fsyncdir, writes, written_bytes, cut_files, cut_pages, cut_bytes;
} stats;

/* The path relative to the backing directory: "/" is ".", "/a/b" is "a/b". */
static const char *rel(const char *path) {
    return path[1] == '\0' ? "." : path + 1;
}

static int is_control(const char *path) {
    return path != NULL && strcmp(path, CONTROL) == 0;
}

/* The control file's handle. Operations on an open file get no path (nullpath_ok): they tell it by its handle. */
#define CONTROL_HANDLE UINT64_MAX

static int is_control_handle(const struct fuse_file_info *fi) {
    return fi != NULL && fi->fh == CONTROL_HANDLE;
}

static void forget(struct unsynced *u) {
    for (size_t i = 0; i < u->count; i++) {
        free(u->pages[i].data);
    }
    free(u->pages);
    close(u->fd);
    free(u);
}

/* The entry of the file open as fd, created (remembering its size now as the synced one) when create is set. */
static int find(int fd, int create, struct unsynced **found) {
    struct stat st;
    if (fstat(fd, &st) != 0) {
        return -errno;
    }
    for (struct unsynced *u = files; u != NULL; u = u->next) {
        if (u->dev == st.st_dev && u->ino == st.st_ino) {
            *found = u;
            return 0;
        }
    }
    *found = NULL;
    if (!create) {
        return 0;
    }
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
    /* a description of its own: the handle's may be write-only or O_APPEND */
    int own = open(self, O_RDWR | O_CLOEXEC);
    if (own < 0) {
        return -errno;
    }
    struct unsynced *u = calloc(1, sizeof *u);
    if (u == NULL) {
        close(own);
        return -ENOMEM;
    }
    u->dev = st.st_dev;
    u->ino = st.st_ino;
    u->fd = own;
    u->synced_size = st.st_size;
    u->next = files;
    files = u;
    *found = u;
    return 0;
}

/* Saves the synced content of every page of [from, to) that is below the synced size and not saved yet. */
static int save(struct unsynced *u, off_t from, off_t to) {
    if (to > u->synced_size) {
        to = u->synced_size;
    }
    if (from >= to) {
        return 0;
    }
    for (uint64_t index = (uint64_t) from / PAGE; index <= (uint64_t) (to - 1) / PAGE; index++) {
        size_t lo = 0, hi = u->count;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (u->pages[mid].index < index) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo < u->count && u->pages[lo].index == index) {
            continue;
        }
        off_t start = (off_t) index * PAGE;
        uint32_t length = (uint32_t) (u->synced_size - start < PAGE ? u->synced_size - start : PAGE);
        char *data = malloc(length);
        if (data == NULL) {
            return -ENOMEM;
        }
        size_t done = 0;
        while (done < length) {
            ssize_t n = pread(u->fd, data + done, length - done, start + (off_t) done);
            if (n < 0) {
                free(data);
                return -errno;
            }
            if (n == 0) { /* cannot happen below the synced size; keep zeros rather than loop */
                memset(data + done, 0, length - done);
                break;
            }
            done += (size_t) n;
        }
        if (u->count == u->capacity) {
            size_t capacity = u->capacity ? u->capacity * 2 : 64;
            struct saved_page *pages = realloc(u->pages, capacity * sizeof *pages);
            if (pages == NULL) {
                free(data);
                return -ENOMEM;
            }
            u->pages = pages;
            u->capacity = capacity;
        }
        memmove(&u->pages[lo + 1], &u->pages[lo], (u->count - lo) * sizeof *u->pages);
        u->pages[lo] = (struct saved_page) {.index = index, .length = length, .data = data};
        u->count++;
    }
    return 0;
}

/* Before a change of [from, to) of the file open as fd (a truncation: from the new size to the current one). */
static int before_change(int fd, off_t from, off_t to) {
    struct unsynced *u;
    int rc = find(fd, 1, &u);
    return rc != 0 ? rc : save(u, from, to);
}

/* fsync or fdatasync of the file open as fd; its unsynced changes become synced ones. Called with the lock held. */
static int sync_file(int fd, int datasync) {
    if (datasync) {
        stats.fdatasync++;
    } else {
        stats.fsync++;
    }
    if ((datasync ? fdatasync(fd) : fsync(fd)) != 0) {
        return -errno;
    }
    struct unsynced *u;
    int rc = find(fd, 0, &u);
    if (rc != 0 || u == NULL) {
        return rc;
    }
    for (struct unsynced **p = &files; *p != NULL; p = &(*p)->next) {
        if (*p == u) {
            *p = u->next;
            break;
        }
    }
    forget(u);
    return 0;
}

/* The power cut: every file back to its synced content and size. Called with the lock held. */
static void cut(void) {
    power_cut = 1;
    while (files != NULL) {
        struct unsynced *u = files;
        files = u->next;
        for (size_t i = 0; i < u->count; i++) {
            struct saved_page *page = &u->pages[i];
            if (pwrite(u->fd, page->data, page->length, (off_t) page->index * PAGE) != (ssize_t) page->length) {
                fprintf(stderr, "unsynced-loss-fs: could not put a page back: %s\n", strerror(errno));
            }
            stats.cut_pages++;
            stats.cut_bytes += page->length;
        }
        struct stat st;
        if (fstat(u->fd, &st) == 0 && st.st_size > u->synced_size) {
            stats.cut_bytes += (uint64_t) (st.st_size - u->synced_size);
        }
        if (ftruncate(u->fd, u->synced_size) != 0) {
            fprintf(stderr, "unsynced-loss-fs: could not put a size back: %s\n", strerror(errno));
        }
        stats.cut_files++;
        forget(u);
    }
}

static int report(char *buf, size_t size) {
    uint64_t unsynced_files = 0, unsynced_pages = 0;
    for (struct unsynced *u = files; u != NULL; u = u->next) {
        unsynced_files++;
        unsynced_pages += u->count;
    }
    return snprintf(buf, size,
            "fsync %" PRIu64 "\nfdatasync %" PRIu64 "\nfsyncdir %" PRIu64 "\nwrites %" PRIu64
            "\nwritten_bytes %" PRIu64 "\nunsynced_files %" PRIu64 "\nunsynced_pages %" PRIu64 "\narmed %d\ncut %d"
            "\ncut_files %" PRIu64 "\ncut_pages %" PRIu64 "\ncut_bytes %" PRIu64 "\n",
            stats.fsync, stats.fdatasync, stats.fsyncdir, stats.writes, stats.written_bytes, unsynced_files,
            unsynced_pages, armed != 0, power_cut, stats.cut_files, stats.cut_pages, stats.cut_bytes);
}

#define POWERED()                   \
    do {                            \
        if (__atomic_load_n(&power_cut, __ATOMIC_SEQ_CST)) { \
            return -EIO;            \
        }                           \
    } while (0)

static void *ulf_init(struct fuse_conn_info *conn, struct fuse_config *cfg) {
    (void) conn;
    /* the kernel asks again every time: sizes change under it at a cut, and names may too */
    cfg->attr_timeout = 0;
    cfg->entry_timeout = 0;
    cfg->negative_timeout = 0;
    cfg->hard_remove = 1;
    cfg->nullpath_ok = 1;
    return NULL;
}

static int ulf_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
    if (is_control(path) || is_control_handle(fi)) {
        memset(st, 0, sizeof *st);
        st->st_mode = S_IFREG | 0600;
        st->st_nlink = 1;
        st->st_uid = getuid();
        st->st_gid = getgid();
        return 0;
    }
    POWERED();
    int rc = fi != NULL ? fstat((int) fi->fh, st) : fstatat(backing, rel(path), st, AT_SYMLINK_NOFOLLOW);
    return rc == 0 ? 0 : -errno;
}

static int ulf_access(const char *path, int mask) {
    if (is_control(path)) {
        return 0;
    }
    POWERED();
    return faccessat(backing, rel(path), mask, 0) == 0 ? 0 : -errno;
}

static int ulf_readlink(const char *path, char *buf, size_t size) {
    POWERED();
    ssize_t n = readlinkat(backing, rel(path), buf, size - 1);
    if (n < 0) {
        return -errno;
    }
    buf[n] = '\0';
    return 0;
}

static int ulf_opendir(const char *path, struct fuse_file_info *fi) {
    POWERED();
    int fd = openat(backing, rel(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    DIR *dir = fdopendir(fd);
    if (dir == NULL) {
        int e = errno;
        close(fd);
        return -e;
    }
    fi->fh = (uint64_t) (uintptr_t) dir;
    return 0;
}

static int ulf_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t offset, struct fuse_file_info *fi,
        enum fuse_readdir_flags flags) {
    (void) path;
    (void) offset;
    (void) flags;
    POWERED();
    DIR *dir = (DIR *) (uintptr_t) fi->fh;
    rewinddir(dir);
    struct dirent *entry;
    errno = 0;
    while ((entry = readdir(dir)) != NULL) {
        struct stat st = {.st_ino = entry->d_ino, .st_mode = (mode_t) DTTOIF(entry->d_type)};
        if (fill(buf, entry->d_name, &st, 0, 0) != 0) {
            break;
        }
    }
    return errno == 0 ? 0 : -errno;
}

static int ulf_releasedir(const char *path, struct fuse_file_info *fi) {
    (void) path;
    closedir((DIR *) (uintptr_t) fi->fh);
    return 0;
}

static int ulf_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi) {
    (void) path;
    POWERED();
    pthread_mutex_lock(&lock);
    stats.fsyncdir++;
    pthread_mutex_unlock(&lock);
    int fd = dirfd((DIR *) (uintptr_t) fi->fh);
    return (datasync ? fdatasync(fd) : fsync(fd)) == 0 ? 0 : -errno;
}

static int ulf_mkdir(const char *path, mode_t mode) {
    POWERED();
    return mkdirat(backing, rel(path), mode) == 0 ? 0 : -errno;
}

static int ulf_rmdir(const char *path) {
    POWERED();
    return unlinkat(backing, rel(path), AT_REMOVEDIR) == 0 ? 0 : -errno;
}

static int ulf_unlink(const char *path) {
    POWERED();
    return unlinkat(backing, rel(path), 0) == 0 ? 0 : -errno;
}

static int ulf_symlink(const char *target, const char *path) {
    POWERED();
    return symlinkat(target, backing, rel(path)) == 0 ? 0 : -errno;
}

static int ulf_link(const char *from, const char *to) {
    POWERED();
    return linkat(backing, rel(from), backing, rel(to), 0) == 0 ? 0 : -errno;
}

static int ulf_rename(const char *from, const char *to, unsigned int flags) {
    POWERED();
    return renameat2(backing, rel(from), backing, rel(to), flags) == 0 ? 0 : -errno;
}

static int ulf_chmod(const char *path, mode_t mode, struct fuse_file_info *fi) {
    POWERED();
    int rc = fi != NULL ? fchmod((int) fi->fh, mode) : fchmodat(backing, rel(path), mode, 0);
    return rc == 0 ? 0 : -errno;
}

static int ulf_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi) {
    POWERED();
    int rc = fi != NULL ? fchown((int) fi->fh, uid, gid) : fchownat(backing, rel(path), uid, gid, AT_SYMLINK_NOFOLLOW);
    return rc == 0 ? 0 : -errno;
}

static int ulf_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi) {
    POWERED();
    int rc = fi != NULL ? futimens((int) fi->fh, tv) : utimensat(backing, rel(path), tv, AT_SYMLINK_NOFOLLOW);
    return rc == 0 ? 0 : -errno;
}

static int ulf_truncate(const char *path, off_t size, struct fuse_file_info *fi) {
    if (is_control(path) || is_control_handle(fi)) {
        return 0;
    }
    POWERED();
    int fd = fi != NULL ? (int) fi->fh : openat(backing, rel(path), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    pthread_mutex_lock(&lock);
    int rc;
    struct stat st;
    if (power_cut) {
        rc = -EIO;
    } else if (fstat(fd, &st) != 0) {
        rc = -errno;
    } else if ((rc = before_change(fd, size, st.st_size)) == 0 && ftruncate(fd, size) != 0) {
        rc = -errno;
    }
    pthread_mutex_unlock(&lock);
    if (fi == NULL) {
        close(fd);
    }
    return rc;
}

/* What the handle's flags say to the backing file: no O_APPEND (the kernel gives each write its offset). */
static int backing_flags(int flags) {
    return (flags & ~O_APPEND) | O_CLOEXEC;
}

static int ulf_open(const char *path, struct fuse_file_info *fi) {
    if (is_control(path)) {
        fi->direct_io = 1;
        fi->fh = CONTROL_HANDLE;
        return 0;
    }
    POWERED();
    /* O_TRUNC is a truncation like any other: the synced content is saved first */
    int fd = openat(backing, rel(path), backing_flags(fi->flags) & ~O_TRUNC);
    if (fd < 0) {
        return -errno;
    }
    if ((fi->flags & O_TRUNC) && (fi->flags & O_ACCMODE) != O_RDONLY) {
        pthread_mutex_lock(&lock);
        struct stat st;
        int rc = fstat(fd, &st) != 0 ? -errno : before_change(fd, 0, st.st_size);
        if (rc == 0 && ftruncate(fd, 0) != 0) {
            rc = -errno;
        }
        pthread_mutex_unlock(&lock);
        if (rc != 0) {
            close(fd);
            return rc;
        }
    }
    fi->fh = (uint64_t) fd;
    return 0;
}

static int ulf_create(const char *path, mode_t mode, struct fuse_file_info *fi) {
    POWERED();
    int fd = openat(backing, rel(path), backing_flags(fi->flags) | O_CREAT, mode);
    if (fd < 0) {
        return -errno;
    }
    fi->fh = (uint64_t) fd;
    return 0;
}

static int ulf_read(const char *path, char *buf, size_t size, off_t offset, struct fuse_file_info *fi) {
    (void) path;
    if (is_control_handle(fi)) {
        char text[1024];
        pthread_mutex_lock(&lock);
        int length = report(text, sizeof text);
        pthread_mutex_unlock(&lock);
        /* all of it at offset 0, then the end: a second read must not take the tail of newer counters */
        if (offset > 0) {
            return 0;
        }
        size_t n = (size_t) length < size ? (size_t) length : size;
        memcpy(buf, text, n);
        return (int) n;
    }
    POWERED();
    ssize_t n = pread((int) fi->fh, buf, size, offset);
    return n < 0 ? -errno : (int) n;
}

static int ulf_write(const char *path, const char *buf, size_t size, off_t offset, struct fuse_file_info *fi) {
    (void) path;
    if (is_control_handle(fi)) {
        if (size >= 3 && strncmp(buf, "cut", 3) == 0) {
            pthread_mutex_lock(&lock);
            if (!power_cut) {
                cut();
            }
            pthread_mutex_unlock(&lock);
            return (int) size;
        }
        char command[32] = {0};
        memcpy(command, buf, size < sizeof command - 1 ? size : sizeof command - 1);
        long pid;
        char *end;
        if (strncmp(command, "arm ", 4) == 0 && (pid = strtol(command + 4, &end, 10)) > 0
                && (*end == '\0' || *end == '\n')) {
            pthread_mutex_lock(&lock);
            armed = (pid_t) pid;
            pthread_mutex_unlock(&lock);
            return (int) size;
        }
        return -EINVAL;
    }
    POWERED();
    int fd = (int) fi->fh;
    pthread_mutex_lock(&lock);
    int rc = power_cut ? -EIO : before_change(fd, offset, offset + (off_t) size);
    ssize_t n = 0;
    if (rc == 0) {
        n = pwrite(fd, buf, size, offset);
        if (n < 0) {
            rc = -errno;
        } else {
            stats.writes++;
            stats.written_bytes += (uint64_t) n;
            if (armed != 0) {
                if (kill(armed, SIGKILL) != 0) {
                    fprintf(stderr, "unsynced-loss-fs: could not kill %d: %s\n", (int) armed, strerror(errno));
                }
                armed = 0;
                cut();
                rc = -EIO;
            }
        }
    }
    pthread_mutex_unlock(&lock);
    return rc != 0 ? rc : (int) n;
}

static int ulf_statfs(const char *path, struct statvfs *st) {
    (void) path;
    POWERED();
    return fstatvfs(backing, st) == 0 ? 0 : -errno;
}

static int ulf_flush(const char *path, struct fuse_file_info *fi) {
    (void) path;
    (void) fi;
    return 0; /* close(2) is no sync */
}

static int ulf_release(const char *path, struct fuse_file_info *fi) {
    (void) path;
    if (!is_control_handle(fi)) {
        close((int) fi->fh);
    }
    return 0;
}

static int ulf_fsync(const char *path, int datasync, struct fuse_file_info *fi) {
    (void) path;
    if (is_control_handle(fi)) {
        return 0;
    }
    POWERED();
    pthread_mutex_lock(&lock);
    int rc = power_cut ? -EIO : sync_file((int) fi->fh, datasync);
    pthread_mutex_unlock(&lock);
    return rc;
}

static int ulf_fallocate(const char *path, int mode, off_t offset, off_t length, struct fuse_file_info *fi) {
    (void) path;
    (void) mode;
    (void) offset;
    (void) length;
    (void) fi;
    return -EOPNOTSUPP;
}

static const struct fuse_operations operations = {
    .init = ulf_init,
    .getattr = ulf_getattr,
    .access = ulf_access,
    .readlink = ulf_readlink,
    .opendir = ulf_opendir,
    .readdir = ulf_readdir,
    .releasedir = ulf_releasedir,
    .fsyncdir = ulf_fsyncdir,
    .mkdir = ulf_mkdir,
    .rmdir = ulf_rmdir,
    .unlink = ulf_unlink,
    .symlink = ulf_symlink,
    .link = ulf_link,
    .rename = ulf_rename,
    .chmod = ulf_chmod,
    .chown = ulf_chown,
    .utimens = ulf_utimens,
    .truncate = ulf_truncate,
    .open = ulf_open,
    .create = ulf_create,
    .read = ulf_read,
    .write = ulf_write,
    .statfs = ulf_statfs,
    .flush = ulf_flush,
    .release = ulf_release,
    .fsync = ulf_fsync,
    .fallocate = ulf_fallocate,
};

int main(int argc, char *argv[]) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s BACKING MOUNTPOINT [-f] [FUSE options]\n", argv[0]);
        return 2;
    }
    backing = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (backing < 0) {
        fprintf(stderr, "unsynced-loss-fs: cannot open %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    /* argv without BACKING, plus a name for the mount table */
    char **args = calloc((size_t) argc + 2, sizeof *args);
    if (args == NULL) {
        return 1;
    }
    int n = 0;
    args[n++] = argv[0];
    for (int i = 2; i < argc; i++) {
        args[n++] = argv[i];
    }
    args[n++] = "-ofsname=unsynced-loss-fs,subtype=unsynced-loss-fs";
    return fuse_main(n, args, &operations, NULL);
}
