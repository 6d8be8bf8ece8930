import HTTPTypes
import Hummingbird

/// `GET /` (the adjudicators' page, no token needed: it holds no data and asks for the token)
/// and `GET /v1/openapi.json` (the API description kept in `Sources/Service/openapi.json`).
struct DocumentController {
    func registerPage(on router: Router<AppRequestContext>) {
        router.get("/", use: page)
    }

    func registerDocument(on router: Router<AppRequestContext>) {
        router.get("/v1/openapi.json", use: document)
    }

    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        var headers: HTTPFields = [:]
        // The page runs only its own inline script and talks only to this server.
        headers[.contentSecurityPolicy] = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        if let name = HTTPField.Name("X-Content-Type-Options") { headers[name] = "nosniff" }
        return JSONAnswer.body(Array(AdjudicatorPage.html.utf8), contentType: "text/html; charset=utf-8", extraHeaders: headers)
    }

    @Sendable func document(_ request: Request, context: AppRequestContext) async throws -> Response {
        JSONAnswer.body(PackageResources.openapi_json, contentType: "application/json; charset=utf-8")
    }
}
