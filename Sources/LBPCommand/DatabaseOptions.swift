import ArgumentParser
import History
import SQLiteDB

#if canImport(Glibc)
import Glibc
#endif

/// `--database`, shared by every subcommand.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The SQLite database file (default: $LBP_DATABASE, else ./lbp.sqlite).", valueName: "path"))
    var database: String?

    @Flag(name: .long, help: "Show member data (ids) in error messages; off by default because they are PHI.")
    var verbose = false

    var path: String {
        database ?? HistoryDatabase.defaultPath(environment: ProcessEnvironment.all)
    }

    @Option(name: .long, help: ArgumentHelp("How long to wait for another lbp process's write lock before giving up with exit 75 (default 600).", valueName: "seconds"))
    var wait: Int?

    /// How long to wait for another process's lock, in milliseconds: `--wait`, else
    /// `$LBP_BUSY_TIMEOUT_MS`, else 10 minutes (batch jobs queue behind each other).
    var waitMilliseconds: Int64 {
        if let wait { return Int64(max(0, min(wait, 86_400))) * 1000 }
        return ProcessEnvironment.all["LBP_BUSY_TIMEOUT_MS"].flatMap { Int64($0) } ?? 600_000
    }

    /// Opens the database for writing (creating it owner-only when missing).
    func open() throws -> Connection {
        try refuseDirectory()
        let db = try HistoryDatabase.open(path: path, busyTimeoutMilliseconds: 5_000)
        let limit = waitMilliseconds
        db.waitForLocks(upTo: limit) {
            guard isatty(2) == 1 else { return }
            printToStderr("lbp: waiting for another lbp process to finish with the database (up to \(limit / 1000) s; see --wait)\n")
        }
        return db
    }

    private func refuseDirectory() throws {
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw UserFacingError(message: "\(path): is a directory, not a database file", exitCode: UserFacingError.ioError)
        }
    }

    /// Opens an existing database for reading only.
    func openForReading() throws -> Connection {
        try refuseDirectory()
        guard access(path, F_OK) == 0 else {
            throw UserFacingError(message: "no database at \(path) (load extracts first, or pass --database)", exitCode: .failure)
        }
        let db = try HistoryDatabase.open(path: path, readOnly: true, busyTimeoutMilliseconds: 5_000)
        db.waitForLocks(upTo: waitMilliseconds)
        return db
    }
}

enum ProcessEnvironment {
    static var all: [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }
}
