package dev.openplus.db.backup;

/** A backup file that cannot be restored (missing, unreadable, damaged, truncated, too new): one line for the operator. */
public final class BackupFileException extends RuntimeException {
    public BackupFileException(String message) {
        super(message, null, false, false);
    }
}
