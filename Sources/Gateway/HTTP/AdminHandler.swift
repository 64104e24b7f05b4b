import Core
import Foundation
import HTTPTypes
import Hummingbird
import Governance
import Store

/// The admin API (`/v1/admin/...`) and the read routes of viewers and reviewers
/// (`/v1/invocations/{id}`, `/v1/usecases/{id}/summary`).
///
/// Every admin action, allowed or denied, leaves an audit event with the actor's key id.
struct AdminHandler: Sendable {
    let runtime: GatewayRuntime

    var keys: KeyService { KeyService(store: runtime.store, configuration: runtime.configuration) }

    // MARK: Keys

    func listKeys(_ request: Request) async throws -> Response {
        let principal = try await authorize(request, .manageKeys, action: "key.list")
        let all = try await run { () async throws(GatewayError) in try await keys.list() }
        _ = principal
        return JSONResponse.ok(["object": "list", "data": .array(all.map { .object($0.summary) })])
    }

    func createKey(_ request: Request) async throws -> Response {
        let principal = try await authorize(request, .manageKeys, action: "key.create")
        let body = try await jsonObject(request)
        let issued = try await run { () async throws(GatewayError) in
            try await keys.create(try Self.createRequest(from: body), actor: AuditActor(principal: principal))
        }
        return JSONResponse.created(["key": .object(issued.key.summary), "secret": .string(issued.token)])
    }

    func rotateKey(_ request: Request, id: String) async throws -> Response {
        let principal = try await authorize(request, .manageKeys, action: "key.rotate", target: id)
        let body = try await jsonObject(request, optional: true)
        let grace = try Self.duration(body["grace"], field: "grace", default: 0) ?? 0
        let issued = try await run { () async throws(GatewayError) in
            try await keys.rotate(id: id, grace: grace, actor: AuditActor(principal: principal))
        }
        return JSONResponse.ok(["key": .object(issued.key.summary), "secret": .string(issued.token)])
    }

    func revokeKey(_ request: Request, id: String) async throws -> Response {
        let principal = try await authorize(request, .manageKeys, action: "key.revoke", target: id)
        let key = try await run { () async throws(GatewayError) in try await keys.revoke(id: id, actor: AuditActor(principal: principal)) }
        return JSONResponse.ok(["key": .object(key.summary)])
    }

    // MARK: Spend

    /// `GET /v1/spend?by=use-case|team|key|provider&window=day|month` (viewer and admin). A viewer
    /// scoped to some use cases sees only their rows when grouping by use case, and nothing else.
    func spend(_ request: Request) async throws -> Response {
        let principal = try await runtime.authenticate(request)
        do throws(GatewayError) { try principal.authorize(.readSummaries) } catch { throw HTTPGatewayError(error) }
        let query = request.uri.queryParameters
        let dimensions: [String: SpendDimension] = ["use-case": .useCase, "team": .team, "key": .key, "provider": .provider]
        guard let dimension = dimensions[query.get("by") ?? "use-case"] else {
            throw HTTPGatewayError(.invalidRequest("'by' must be use-case, team, key or provider", param: "by"))
        }
        guard let window = BudgetWindow(rawValue: query.get("window") ?? "day") else {
            throw HTTPGatewayError(.invalidRequest("'window' must be day or month", param: "window"))
        }
        if principal.role != .admin && principal.useCases != nil && dimension != .useCase {
            throw HTTPGatewayError(.forbidden("A key scoped to some use cases may read spend by use case only."))
        }
        await runtime.ledger.flush()
        guard var report = try? await SpendReport.build(store: runtime.store, by: dimension, window: window, timeZone: .utc) else {
            throw HTTPGatewayError(GatewayError(status: 503, code: .init(rawValue: "store_unavailable"), message: "The store is unavailable."))
        }
        report.rows = report.rows.filter { dimension != .useCase || principal.mayInvoke(useCase: $0.group) }
        return JSONResponse.ok(report.json)
    }

    // MARK: Configuration

    func reload(_ request: Request) async throws -> Response {
        let principal = try await authorize(request, .reloadConfiguration, action: "config.reload")
        let report = try await run { () async throws(GatewayError) in try await runtime.reload(actor: AuditActor(principal: principal)) }
        return JSONResponse.ok([
            "reloaded": true, "use_cases": .object(report.useCases.mapValues(JSONValue.string)),
            "restart_required": .array(report.restartRequired.map(JSONValue.string)),
        ])
    }

    // MARK: Erasure and audit

    func erase(_ request: Request) async throws -> Response {
        let principal = try await authorize(request, .erase, action: "erasure")
        let body = try await jsonObject(request)
        guard let subject = body["subject"]?.stringValue, !subject.isEmpty else {
            throw HTTPGatewayError(.invalidRequest("'subject' (a non-empty string) is required", param: "subject"))
        }
        await runtime.ledger.flush()
        let digest = runtime.digester.subjectDigest(subject)
        let rows = try await run { () async throws(GatewayError) in
            do {
                return try await runtime.store.erasePayloads(
                    subjectDigest: digest,
                    audit: AuditEventDraft(actor: principal.keyID, actorTeam: principal.team, action: "erasure", target: digest))
            } catch {
                throw GatewayError(status: 503, code: .init(rawValue: "store_unavailable"), message: "The store is unavailable: \(error)")
            }
        }
        return JSONResponse.ok(["subject_digest": .string(digest), "rows_erased": .number(Double(rows))])
    }

    func verifyAudit(_ request: Request) async throws -> Response {
        _ = try await authorize(request, .readAudit, action: "audit.verify")
        let result = try await run { () async throws(GatewayError) in
            do { return try await runtime.store.verifyAudit() } catch {
                throw GatewayError(status: 503, code: .init(rawValue: "store_unavailable"), message: "The store is unavailable: \(error)")
            }
        }
        var body: [String: JSONValue] = [
            "intact": .bool(result.isIntact), "events": .number(Double(result.eventCount)),
            "head_sequence": result.headSequence.map { .number(Double($0)) } ?? .null,
        ]
        if let problem = result.problem {
            body["problem"] = [
                "kind": .string(problem.kind.rawValue), "sequence": problem.sequence.map { .number(Double($0)) } ?? .null,
                "event_id": problem.eventID.map(JSONValue.string) ?? .null, "message": .string(problem.message),
            ]
        }
        return JSONResponse.ok(.object(body))
    }

    // MARK: Read routes

    /// `GET /v1/invocations/{id}`: admin and reviewers (in scope) see payloads; viewers (in scope) and
    /// the app key that made the invocation see everything else. Anything not visible is a 404, the
    /// same as an unknown id.
    func invocation(_ request: Request, id: String) async throws -> Response {
        let principal = try await runtime.authenticate(request)
        guard principal.has(.readInvocations) || principal.has(.readOwnInvocations) else {
            throw HTTPGatewayError(.forbidden("This API key's role (\(principal.role.rawValue)) does not allow this operation."))
        }
        let notFound = HTTPGatewayError(GatewayError(status: 404, code: .init(rawValue: "invocation_not_found"), message: "No invocation '\(id.prefix(64))' visible to this key.", param: "id"))
        guard let entry = try? await runtime.ledger.entry(id: id) else { throw notFound }
        let inScope = entry.useCase.map(principal.mayInvoke(useCase:)) ?? (principal.role == .admin)
        let own = entry.keyID == principal.keyID
        let visible = (principal.has(.readInvocations) && inScope) || (principal.has(.readOwnInvocations) && own)
        guard visible else { throw notFound }
        let payloads = principal.has(.readPayloads) && inScope
        var detail = Self.detail(entry, payloads: payloads)
        // The final outcome of an escalated invocation, once a reviewer decided it.
        if let review = try? await runtime.store.reviewItem(id), case .object(var fields) = detail {
            fields["review"] = [
                "status": .string(review.status.rawValue), "decided_at": review.decidedAt.map { .string($0.formatted(.iso8601)) } ?? .null,
                "output": review.finalOutput.flatMap { try? JSONValue.parse($0) } ?? .null,
            ]
            detail = .object(fields)
        }
        return JSONResponse.ok(detail)
    }

    /// `GET /v1/usecases/{id}/summary?hours=24`: counts, latency and cost of one use case (viewer, admin).
    func summary(_ request: Request, useCaseID: String) async throws -> Response {
        let principal = try await runtime.authenticate(request)
        do throws(GatewayError) {
            try principal.authorize(.readSummaries, useCase: useCaseID)
        } catch {
            throw HTTPGatewayError(error)
        }
        guard runtime.configuration.useCase(id: useCaseID) != nil else { throw HTTPGatewayError(.unknownUseCase(useCaseID)) }
        let hours = request.uri.queryParameters.get("hours").flatMap(Double.init) ?? 24
        guard hours > 0, hours <= 24 * 400 else {
            throw HTTPGatewayError(.invalidRequest("'hours' must be between 0 and 9600", param: "hours"))
        }
        await runtime.ledger.flush()
        let since = Date().addingTimeInterval(-hours * 3600)
        guard let figures = try? await runtime.store.summary(useCase: useCaseID, since: since) else {
            throw HTTPGatewayError(GatewayError(status: 503, code: .init(rawValue: "store_unavailable"), message: "The store is unavailable."))
        }
        return JSONResponse.ok([
            "use_case": .string(useCaseID), "since": .string(since.formatted(.iso8601)), "requests": .number(Double(figures.requests)),
            "decisions": .object(figures.decisions.mapValues { .number(Double($0)) }),
            "statuses": .object(figures.statuses.mapValues { .number(Double($0)) }),
            "latency_ms": ["p50": figures.latencyP50Milliseconds.map(JSONValue.number) ?? .null, "p95": figures.latencyP95Milliseconds.map(JSONValue.number) ?? .null],
            "usage": ["input_tokens": .number(Double(figures.inputTokens)), "output_tokens": .number(Double(figures.outputTokens))],
            "cost_usd": .number(figures.costUSD),
        ])
    }

    static func detail(_ entry: LedgerEntry, payloads: Bool) -> JSONValue {
        var body: [String: JSONValue] = [
            "invocation_id": .string(entry.id), "created_at": .string(entry.createdAt.formatted(.iso8601)),
            "key_id": entry.keyID.map(JSONValue.string) ?? .null, "route": .string(entry.route.rawValue),
            "use_case": entry.useCase.map(JSONValue.string) ?? .null, "variant": entry.variant.map(JSONValue.string) ?? .null,
            "variant_version": entry.variantVersion.map(JSONValue.string) ?? .null,
            "provider": entry.provider.map(JSONValue.string) ?? .null, "model": entry.model.map(JSONValue.string) ?? .null,
            "decision": .string(entry.decision.rawValue), "status": .number(Double(entry.httpStatus)),
            "error_code": entry.errorCode.map(JSONValue.string) ?? .null, "latency_ms": .number(entry.latencyMilliseconds),
            "stage_timings_ms": .object(entry.stageTimings.mapValues(JSONValue.number)),
            "usage": ["input_tokens": .number(Double(entry.inputTokens)), "output_tokens": .number(Double(entry.outputTokens)), "estimated": .bool(entry.tokensEstimated)],
            "cost_usd": .number(entry.costUSD), "confidence": entry.confidence.map(JSONValue.number) ?? .null,
            "escalation_reasons": .array(entry.escalationReasons.map(JSONValue.string)), "streamed": .bool(entry.streamed),
            "stream_outcome": entry.streamOutcome.map(JSONValue.string) ?? .null, "payload_mode": .string(entry.payloadMode),
            "trace_id": entry.traceID.map(JSONValue.string) ?? .null,
            "guard_report": entry.guardReport.flatMap { try? JSONValue.parse($0) } ?? .null,
            "cache_hit": .bool(entry.cacheHit),
        ]
        if payloads {
            body["input"] = entry.inputPayload.map { (try? JSONValue.parse($0)) ?? .string($0) } ?? .null
            body["output"] = entry.outputPayload.map { (try? JSONValue.parse($0)) ?? .string($0) } ?? .null
        }
        return .object(body)
    }

    // MARK: Helpers

    /// Authenticates, then checks the permission; a denial is audited before the 403 goes out.
    func authorize(_ request: Request, _ permission: Permission, action: String, target: String? = nil) async throws -> Principal {
        let principal = try await runtime.authenticate(request)
        do throws(GatewayError) {
            try principal.authorize(permission)
        } catch {
            try? await runtime.store.append([
                AuditEventDraft(actor: principal.keyID, actorTeam: principal.team, action: action, target: target, outcome: "denied")
            ])
            throw HTTPGatewayError(error)
        }
        return principal
    }

    func jsonObject(_ request: Request, optional: Bool = false) async throws -> [String: JSONValue] {
        do throws(GatewayError) {
            let bytes = try await RequestBodyReader.readJSONBody(request, limit: runtime.configuration.server.maxBodyBytes)
            if bytes.isEmpty && optional { return [:] }
            let value: JSONValue
            do { value = try JSONValue.parse(bytes) } catch { throw GatewayError.malformedJSON("\(error)") }
            guard let object = value.objectValue else { throw GatewayError.invalidRequest("the body must be a JSON object") }
            return object
        } catch {
            throw HTTPGatewayError(error)
        }
    }

    func run<T>(_ body: () async throws(GatewayError) -> T) async throws -> T {
        do { return try await body() } catch { throw HTTPGatewayError(error) }
    }

    static func createRequest(from body: [String: JSONValue]) throws(GatewayError) -> KeyService.CreateRequest {
        let known: Set<String> = ["name", "role", "use_cases", "providers", "team", "clearance", "expires"]
        if let unknown = body.keys.sorted().first(where: { !known.contains($0) }) {
            throw GatewayError.invalidRequest("unknown field '\(unknown)'", param: unknown)
        }
        guard let name = body["name"]?.stringValue else { throw GatewayError.invalidRequest("'name' (string) is required", param: "name") }
        guard let roleText = body["role"]?.stringValue, let role = Role(rawValue: roleText) else {
            throw GatewayError.invalidRequest("'role' must be one of app, reviewer, viewer, evaluator, admin", param: "role")
        }
        var clearance = DataClass.internal
        if let value = body["clearance"] {
            guard let text = value.stringValue, let parsed = DataClass(rawValue: text) else {
                throw GatewayError.invalidRequest("'clearance' must be one of public, internal, confidential, restricted", param: "clearance")
            }
            clearance = parsed
        }
        return KeyService.CreateRequest(
            name: name, role: role, useCases: try scope(body["use_cases"], field: "use_cases", default: []),
            providers: try scope(body["providers"], field: "providers", default: []), team: body["team"]?.stringValue,
            clearance: clearance, expiresIn: try duration(body["expires"], field: "expires", default: 90 * 86_400))
    }

    /// A list of names, or `"*"` for all (nil).
    static func scope(_ value: JSONValue?, field: String, default fallback: [String]) throws(GatewayError) -> [String]? {
        guard let value else { return fallback }
        if value.stringValue == "*" { return nil }
        guard case .array(let items) = value else {
            throw GatewayError.invalidRequest("'\(field)' must be a list of names or \"*\"", param: field)
        }
        var names: [String] = []
        for item in items {
            guard let name = item.stringValue else { throw GatewayError.invalidRequest("'\(field)' must hold strings", param: field) }
            if name == "*" { return nil }
            names.append(name)
        }
        return names
    }

    static func duration(_ value: JSONValue?, field: String, default fallback: TimeInterval?) throws(GatewayError) -> TimeInterval? {
        guard let value else { return fallback }
        guard let text = value.stringValue, let parsed = DurationText.parse(text) else {
            throw GatewayError.invalidRequest("'\(field)' must be a duration such as 90d, 12h, 30m or 'never'", param: field)
        }
        return parsed
    }
}
