import AsyncHTTPClient
import Core
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Pipeline
import Store

/// The review queue: escalated invocations, listed, claimed (a lock that expires), and approved,
/// corrected or rejected by reviewers of their use cases. Each decision is audited with the
/// reviewer's key and sent to the caller's callback URL.
struct ReviewHandler: Sendable {
    let runtime: GatewayRuntime
    static let claimMinutes = 10.0

    func list(_ request: Request) async throws -> Response {
        let principal = try await authorize(request)
        let query = request.uri.queryParameters
        var scope: Set<String>? = principal.role == .admin ? nil : principal.useCases
        if let useCase = query.get("use_case") {
            guard principal.mayInvoke(useCase: useCase) else { throw HTTPGatewayError(.forbidden("This API key is not scoped for this resource.")) }
            scope = [useCase]
        }
        let olderThan = query.get("older_than_s").flatMap(Double.init).map { Date().addingTimeInterval(-$0) }
        guard let items = try? await runtime.store.pendingReviews(useCases: scope, reason: query.get("reason"), olderThan: olderThan) else {
            throw HTTPGatewayError(GatewayError(status: 503, code: .init(rawValue: "store_unavailable"), message: "The store is unavailable."))
        }
        let oldest = items.first.map { Date().timeIntervalSince($0.createdAt) }
        return JSONResponse.ok([
            "object": "list", "count": .number(Double(items.count)), "oldest_age_s": oldest.map(JSONValue.number) ?? .null,
            "data": .array(items.map(Self.json)),
        ])
    }

    func claim(_ request: Request, id: String) async throws -> Response {
        let principal = try await authorize(request)
        let item = try await scopedItem(id, principal)
        let now = Date()
        guard let claimed = try? await runtime.store.claim(item.invocationID, reviewer: principal.keyID, until: now.addingTimeInterval(Self.claimMinutes * 60), now: now) else {
            throw HTTPGatewayError(GatewayError(status: 409, code: .init(rawValue: "conflict"), message: "The item is decided or claimed by another reviewer."))
        }
        return JSONResponse.ok(Self.json(claimed))
    }

    /// `approve`, `correct` (`{"output": {...}}`, validated against the output schema) or `reject`.
    func decide(_ request: Request, id: String, action: ReviewItem.Status) async throws -> Response {
        let principal = try await authorize(request)
        var item = try await scopedItem(id, principal)
        guard item.status == .pending else {
            throw HTTPGatewayError(GatewayError(status: 409, code: .init(rawValue: "conflict"), message: "The item is already \(item.status.rawValue)."))
        }
        if let holder = item.claimedBy, holder != principal.keyID, let expiry = item.claimExpiresAt, expiry > Date() {
            throw HTTPGatewayError(GatewayError(status: 409, code: .init(rawValue: "conflict"), message: "Another reviewer holds the claim on this item."))
        }
        let body = try await AdminHandler(runtime: runtime).jsonObject(request, optional: true)
        switch action {
        case .approved:
            item.finalOutput = item.output
        case .corrected:
            guard let output = body["output"], let useCase = runtime.configuration.useCase(id: item.useCase) else {
                throw HTTPGatewayError(.invalidRequest("'output' (the corrected output) is required", param: "output"))
            }
            let violations = useCase.task.outputSchema.validate(output)
            if let first = violations.first {
                throw HTTPGatewayError(.invalidInput("The corrected output does not satisfy the output schema: \(first)", path: "$.output"))
            }
            item.finalOutput = output.compactJSONString()
        case .rejected, .pending:
            item.finalOutput = nil
        }
        item.status = action
        item.comment = body["comment"]?.stringValue
        item.decidedBy = principal.keyID
        item.decidedAt = Date()
        let verb = ["approved": "approve", "corrected": "correct", "rejected": "reject"][action.rawValue] ?? action.rawValue
        do {
            try await runtime.store.decide(
                item,
                audit: AuditEventDraft(
                    actor: principal.keyID, actorTeam: principal.team, action: "review.\(verb)", useCase: item.useCase, target: item.invocationID,
                    details: ["reason": .string(item.reason)]))
        } catch {
            throw HTTPGatewayError(GatewayError(status: 409, code: .init(rawValue: "conflict"), message: "The item was decided meanwhile."))
        }
        if let url = item.callbackURL { notify(url, item) }
        return JSONResponse.ok(Self.json(item))
    }

    func notify(_ url: String, _ item: ReviewItem) {
        ReviewCallback.send(url, item, client: runtime.httpClient, logger: runtime.logger)
    }

    /// `POST /v1/feedback {"invocation_id", "rating": "up"|"down", "correction"?, "comment"?}` by the key that
    /// made the invocation, or any key with feedback rights and the use case in scope.
    func feedback(_ request: Request) async throws -> Response {
        let principal = try await runtime.authenticate(request)
        do throws(GatewayError) { try principal.authorize(.sendFeedback) } catch { throw HTTPGatewayError(error) }
        let body = try await AdminHandler(runtime: runtime).jsonObject(request)
        guard let id = body["invocation_id"]?.stringValue else {
            throw HTTPGatewayError(.invalidRequest("'invocation_id' is required", param: "invocation_id"))
        }
        guard let rating = body["rating"]?.stringValue, ["up", "down"].contains(rating) else {
            throw HTTPGatewayError(.invalidRequest("'rating' must be \"up\" or \"down\"", param: "rating"))
        }
        await runtime.ledger.flush()
        guard let entry = try? await runtime.ledger.entry(id: id),
            entry.keyID == principal.keyID || (entry.useCase.map(principal.mayInvoke(useCase:)) ?? false && principal.role != .app)
        else {
            throw HTTPGatewayError(GatewayError(status: 404, code: .init(rawValue: "invocation_not_found"), message: "No invocation '\(id.prefix(64))' visible to this key.", param: "invocation_id"))
        }
        var correction: String?
        if let value = body["correction"] {
            guard let useCase = entry.useCase.flatMap({ runtime.configuration.useCase(id: $0) }) else {
                throw HTTPGatewayError(.invalidRequest("corrections apply to use-case invocations", param: "correction"))
            }
            if let first = useCase.task.outputSchema.validate(value).first {
                throw HTTPGatewayError(.invalidInput("The correction does not satisfy the output schema: \(first)", path: "$.correction"))
            }
            correction = value.compactJSONString()
        }
        let feedback = Feedback(
            invocationID: id, useCase: entry.useCase, keyID: principal.keyID, rating: rating, correction: correction,
            comment: body["comment"]?.stringValue.map { String($0.prefix(2000)) }, createdAt: Date())
        do { try await runtime.store.recordFeedback(feedback) } catch {
            throw HTTPGatewayError(GatewayError(status: 503, code: .init(rawValue: "store_unavailable"), message: "The store is unavailable."))
        }
        return JSONResponse.created(["invocation_id": .string(id), "rating": .string(rating), "recorded": true])
    }

    func authorize(_ request: Request) async throws -> Principal {
        let principal = try await runtime.authenticate(request)
        do throws(GatewayError) { try principal.authorize(.review) } catch { throw HTTPGatewayError(error) }
        return principal
    }

    func scopedItem(_ id: String, _ principal: Principal) async throws -> ReviewItem {
        guard let item = try? await runtime.store.reviewItem(id), principal.mayInvoke(useCase: item.useCase) else {
            throw HTTPGatewayError(GatewayError(status: 404, code: .init(rawValue: "review_not_found"), message: "No review item '\(id.prefix(64))' visible to this key.", param: "id"))
        }
        return item
    }

    static func json(_ item: ReviewItem) -> JSONValue {
        func parsed(_ text: String?) -> JSONValue { text.flatMap { try? JSONValue.parse($0) } ?? .null }
        return [
            "invocation_id": .string(item.invocationID), "use_case": .string(item.useCase), "reason": .string(item.reason),
            "created_at": .string(item.createdAt.formatted(.iso8601)), "status": .string(item.status.rawValue),
            "claimed_by": item.claimedBy.map(JSONValue.string) ?? .null,
            "claim_expires_at": item.claimExpiresAt.map { .string($0.formatted(.iso8601)) } ?? .null,
            "decided_by": item.decidedBy.map(JSONValue.string) ?? .null, "input": parsed(item.input), "output": parsed(item.output),
            "final_output": parsed(item.finalOutput), "comment": item.comment.map(JSONValue.string) ?? .null,
        ]
    }
}

/// Sends a review's outcome to the caller's callback URL, retried with backoff; never blocks the reviewer.
public enum ReviewCallback {
    public static func body(_ item: ReviewItem) -> JSONValue {
        .object([
            "type": "review_decided", "invocation_id": .string(item.invocationID), "use_case": .string(item.useCase),
            "status": .string(item.status.rawValue),
            "output": item.finalOutput.flatMap { try? JSONValue.parse($0) } ?? .null,
            "decided_at": .string((item.decidedAt ?? Date()).formatted(.iso8601)),
        ])
    }

    /// Delivers and returns whether it was accepted (the command line waits for it).
    @discardableResult
    public static func deliver(_ url: String, _ item: ReviewItem, client: HTTPClient, attempts: Int = 5) async -> Bool {
        await WebhookSender.post(body(item), to: url, client: client, attempts: attempts).delivered
    }

    static func send(_ url: String, _ item: ReviewItem, client: HTTPClient, logger: Logger) {
        Task {
            if await !deliver(url, item, client: client) {
                logger.warning("review callback not delivered", metadata: ["invocation.id": "\(item.invocationID)"])
            }
        }
    }
}
