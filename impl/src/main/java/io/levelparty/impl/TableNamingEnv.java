package io.levelparty.impl;

import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;
import org.iq80.leveldb.Logger;
import org.iq80.leveldb.env.DbLock;
import org.iq80.leveldb.env.Env;
import org.iq80.leveldb.env.File;
import org.iq80.leveldb.env.RandomInputFile;
import org.iq80.leveldb.env.SequentialFile;
import org.iq80.leveldb.env.WritableFile;
import org.iq80.leveldb.fileenv.EnvImpl;

/**
 * The Java engine's file system: the port's own, but for the names of table files. LevelDB 1.14
 * renamed its tables from {@code NNNNNN.sst} to {@code NNNNNN.ldb}, and reads both; the LevelDB 1.8
 * inside leveldbjni reads only {@code .sst}, and reports a database with {@code .ldb} tables as
 * corrupt ("missing files"). So the Java engine, a port of LevelDB 1.22, creates its tables as
 * {@code .sst}, and both engines open what either wrote.
 *
 * <p>How: the port asks for a table as {@code NNNNNN.ldb} and, if that is missing, as
 * {@code NNNNNN.sst}. Here a {@code .ldb} name stands for the {@code .sst} file whenever no
 * {@code .ldb} file exists: a new table is created as {@code .sst}, and every later use of the
 * name (reading, sizing, deleting) finds that file. Tables that newer LevelDBs wrote as
 * {@code .ldb} (Node's {@code level}, for one) keep their names and open as they are.
 */
final class TableNamingEnv implements Env {
    private static final String NEW_SUFFIX = ".ldb";
    private static final String OLD_SUFFIX = ".sst";

    private final Env files = EnvImpl.createEnv();

    @Override
    public long nowMicros() {
        return files.nowMicros();
    }

    @Override
    public File toFile(String path) {
        return new TableFile(files.toFile(path));
    }

    @Override
    public File createTempDir(String prefix) {
        return new TableFile(files.createTempDir(prefix));
    }

    @Override
    public SequentialFile newSequentialFile(File file) throws IOException {
        return files.newSequentialFile(unwrap(file));
    }

    @Override
    public RandomInputFile newRandomAccessFile(File file) throws IOException {
        return files.newRandomAccessFile(unwrap(file));
    }

    @Override
    public WritableFile newWritableFile(File file) throws IOException {
        return files.newWritableFile(unwrap(file));
    }

    @Override
    public WritableFile newAppendableFile(File file) throws IOException {
        return files.newAppendableFile(unwrap(file));
    }

    @Override
    public void writeStringToFileSync(File file, String content) throws IOException {
        files.writeStringToFileSync(unwrap(file), content);
    }

    @Override
    public String readFileToString(File file) throws IOException {
        return files.readFileToString(unwrap(file));
    }

    @Override
    public Logger newLogger(File file) throws IOException {
        return files.newLogger(unwrap(file));
    }

    @Override
    public DbLock tryLock(File file) throws IOException {
        return files.tryLock(unwrap(file));
    }

    private static File unwrap(File file) {
        return ((TableFile) file).file;
    }

    /** A file of the port's file system, whose children named {@code .ldb} may be {@code .sst} files. */
    private static final class TableFile implements File {
        private final File file;

        TableFile(File file) {
            this.file = file;
        }

        @Override
        public File child(String name) {
            File child = file.child(name);
            if (name.endsWith(NEW_SUFFIX) && !child.exists()) {
                return new TableFile(file.child(name.substring(0, name.length() - NEW_SUFFIX.length()) + OLD_SUFFIX));
            }
            return new TableFile(child);
        }

        @Override
        public boolean mkdirs() {
            return file.mkdirs();
        }

        @Override
        public String getName() {
            return file.getName();
        }

        @Override
        public File getParentFile() {
            File parent = file.getParentFile();
            return parent == null ? null : new TableFile(parent);
        }

        @Override
        public String getPath() {
            return file.getPath();
        }

        @Override
        public boolean canRead() {
            return file.canRead();
        }

        @Override
        public boolean exists() {
            return file.exists();
        }

        @Override
        public boolean isDirectory() {
            return file.isDirectory();
        }

        @Override
        public boolean isFile() {
            return file.isFile();
        }

        @Override
        public long length() {
            return file.length();
        }

        @Override
        public boolean delete() {
            return file.delete();
        }

        @Override
        public List<File> listFiles() {
            return file.listFiles().stream().map(TableFile::new).collect(Collectors.toList());
        }

        @Override
        public boolean renameTo(File dest) {
            return file.renameTo(unwrap(dest));
        }

        @Override
        public boolean deleteRecursively() {
            return file.deleteRecursively();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TableFile && ((TableFile) o).file.equals(file);
        }

        @Override
        public int hashCode() {
            return file.hashCode();
        }

        @Override
        public String toString() {
            return file.toString();
        }
    }
}
