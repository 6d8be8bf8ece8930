/// The engine's identity, part of every policy version.
public enum Engine {
    /// Bumped whenever the evaluator's logic changes, so the policy version changes with it.
    public static let version = "0.1.0"
}
