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

    /// How long to wait for another process's lock: `$LBP_BUSY_TIMEOUT_MS`, else 5 s.
    var busyTimeout: Int32 {
        ProcessEnvironment.all["LBP_BUSY_TIMEOUT_MS"].flatMap { Int32($0) } ?? 5_000
    }

    /// Opens the database for writing (creating it owner-only when missing).
    func open() throws -> Connection {
        try refuseDirectory()
        return try HistoryDatabase.open(path: path, busyTimeoutMilliseconds: busyTimeout)
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
        return try HistoryDatabase.open(path: path, readOnly: true, busyTimeoutMilliseconds: busyTimeout)
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
