import History
import Hummingbird
import Policy

/// `GET /v1/health`: the service answers, under which policy, and what the history holds
/// (the last file loaded, the last decide run).
struct HealthController {
    let pool: ReadPool

    func register(on router: Router<AppRequestContext>) {
        router.get("/v1/health", use: health)
    }

    @Sendable func health(_ request: Request, context: AppRequestContext) async throws -> Response {
        let answer = try await pool.read { db -> HealthAnswer in
            let policy = try CurrentPolicy.resolve(db)
            return HealthAnswer(
                policy: PolicyJSON(id: policy.settings.policyID, version: policy.version),
                lastLoad: try LoadLedger(db).latest().map(HealthAnswer.Load.init),
                lastDecideRun: try DecisionQueries(db).lastRun().map(HealthAnswer.Run.init))
        }
        return JSONAnswer.response(answer)
    }
}

/// The policy an answer was made under.
struct PolicyJSON: Encodable, Sendable {
    let id: String
    let version: String
}

/// The health answer.
struct HealthAnswer: Encodable, Sendable {
    let status = "ok"
    let engine = Engine.version
    let policy: PolicyJSON
    let lastLoad: Load?
    let lastDecideRun: Run?

    struct Load: Encodable, Sendable {
        let loadID: Int64
        let kind: String
        let fileName: String
        let loadedAt: String
        init(_ entry: LedgerEntry) {
            loadID = entry.loadID
            kind = entry.kind
            fileName = entry.fileName
            loadedAt = entry.loadedAt
        }
        enum CodingKeys: String, CodingKey { case loadID = "load_id", kind, fileName = "file_name", loadedAt = "loaded_at" }
    }

    struct Run: Encodable, Sendable {
        let runID: Int64
        let startedAt: String
        let policyID: String
        let policyVersion: String
        let linesDecided: Int
        init(_ run: DecideRunRecord) {
            runID = run.runID
            startedAt = run.startedAt
            policyID = run.policyID
            policyVersion = run.policyVersion
            linesDecided = run.linesDecided
        }
        enum CodingKeys: String, CodingKey {
            case runID = "run_id", startedAt = "started_at", policyID = "policy_id", policyVersion = "policy_version",
                 linesDecided = "lines_decided"
        }
    }

    enum CodingKeys: String, CodingKey { case status, engine, policy, lastLoad = "last_load", lastDecideRun = "last_decide_run" }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(engine, forKey: .engine)
        try c.encode(policy, forKey: .policy)
        try c.encode(lastLoad, forKey: .lastLoad)
        try c.encode(lastDecideRun, forKey: .lastDecideRun)
    }
}
