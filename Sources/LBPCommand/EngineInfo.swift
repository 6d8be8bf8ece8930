/// The engine's version, part of every policy version.
enum EngineInfo {
    static let version = "0.1.0"
}
