import ArgumentParser
import DelimitedText
import History
import Ingest
import SQLiteDB

#if canImport(Glibc)
import Glibc
#endif

/// An expected failure, told to the user in one line on stderr with a non-zero exit.
struct UserFacingError: Error {
    let message: String
    let exitCode: ExitCode

    static let dataError = ExitCode(65)      // EX_DATAERR: an input file cannot be used
    static let ioError = ExitCode(74)        // EX_IOERR: cannot read or write a file
    static let tempFailure = ExitCode(75)    // EX_TEMPFAIL: the database is busy; try again
}

/// Runs a subcommand's body, turning expected failures into one line on stderr and an exit code.
func reportingErrors(database: String, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as UserFacingError {
        printError(error.message)
        throw error.exitCode
    } catch let error as ExitCode {
        throw error
    } catch {
        let (message, code) = describe(error, database: database)
        printError(message)
        throw code
    }
}

/// The one-line message and exit code for an error.
func describe(_ error: Error, database: String) -> (String, ExitCode) {
    switch error {
    case let error as IngestError:
        if case .cannotWriteRejects = error {
            return ("\(error); the database was not changed by this file", UserFacingError.ioError)
        }
        return ("\(error); the database was not changed by this file", UserFacingError.dataError)
    case let error as ReadError:
        return (error.description, UserFacingError.ioError)
    case let error as Migrator.Failure:
        return ("\(database): \(error)", .failure)
    case let error as SQLiteError:
        if error.isBusy {
            return ("\(database): the database is locked by another lbp process; try again when it has finished", UserFacingError.tempFailure)
        }
        if error.isReadOnly { return ("\(database): the database is read-only (check the file's and its folder's permissions)", UserFacingError.ioError) }
        if error.isFull { return ("\(database): the disk (or the database's size limit) is full; nothing was changed", UserFacingError.ioError) }
        if error.isCorrupt { return ("\(database): not an lbp database, or it is damaged", .failure) }
        if error.cannotOpen { return ("\(database): cannot open the database (\(error.message))", UserFacingError.ioError) }
        if error.isIOError {
            return ("\(database): cannot read or write the database file (disk full, file too large, or an I/O error); nothing was changed", UserFacingError.ioError)
        }
        return ("\(database): \(error.message)", .failure)
    default:
        return ("\(error)", .failure)
    }
}

func printError(_ message: String) {
    var line = "lbp: " + message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// Writes to stderr (progress, manifests): stdout stays clean for data.
func printToStderr(_ text: String) {
    var line = text
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}
