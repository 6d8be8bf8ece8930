import Foundation

/// The result of running the `lbp` executable (or another program).
public struct RunResult: Sendable {
    public let exitCode: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs the built `lbp` executable (next to the test bundle in the build folder).
///
/// - Parameters:
///   - arguments: the command line after `lbp`.
///   - directory: the working directory.
///   - environment: variables added to a minimal environment (PATH, HOME).
public func runLBP(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> RunResult {
    try runExecutable(lbpExecutableURL().path, arguments, in: directory, environment: environment)
}

/// Runs a program to completion and returns its exit status and both outputs.
///
/// stdout and stderr are read at the same time (stderr on a thread of its own), so a child that
/// fills one pipe's buffer while the other is being read cannot block: both are drained until the
/// child closes them. A child killed by a signal reports 128 + the signal number.
///
/// - Parameters:
///   - executable: the program's path.
///   - arguments: its arguments.
///   - directory: the working directory.
///   - environment: variables added to a minimal environment (PATH, HOME).
/// - Throws: when the program cannot be started.
public func runExecutable(_ executable: String, _ arguments: [String], in directory: String,
                          environment: [String: String] = [:]) throws -> RunResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    var env = ["PATH": "/usr/bin:/bin", "HOME": directory]
    env.merge(environment) { $1 }
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()

    let errData = PipeDrain(err.fileHandleForReading)
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = errData.wait()
    process.waitUntilExit()
    let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    return RunResult(exitCode: status,
                     stdout: String(decoding: outData, as: UTF8.self),
                     stderr: String(decoding: stderr, as: UTF8.self))
}

/// Reads a pipe to its end on a thread of its own.
private final class PipeDrain: @unchecked Sendable {
    // @unchecked Sendable: `data` is written once by the reading thread before it signals `done`,
    // and read only after `wait()` has seen that signal.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
        thread.start()
    }

    /// Everything the pipe carried, once the writer has closed it.
    func wait() -> Data {
        done.wait()
        return data
    }
}

/// Where the `lbp` executable is: beside the running test binary in `.build/<configuration>/`.
public func lbpExecutableURL() -> URL {
    var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    // The test binary may sit inside an .xctest bundle.
    while !FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("lbp").path), url.path != "/" {
        url.deleteLastPathComponent()
    }
    return url.appendingPathComponent("lbp")
}
