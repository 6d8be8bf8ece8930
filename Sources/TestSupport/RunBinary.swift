import Foundation

/// The result of running the `lbp` executable.
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
    let process = Process()
    process.executableURL = lbpExecutableURL()
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
    // Read both pipes to the end before waiting, so a large output cannot block the child.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return RunResult(exitCode: process.terminationStatus,
                     stdout: String(decoding: outData, as: UTF8.self),
                     stderr: String(decoding: errData, as: UTF8.self))
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
