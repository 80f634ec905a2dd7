import Foundation
import HTTPTypes
import Hummingbird
import Prometheus

/// The farm's Prometheus metrics, one registry per application (so parallel tests never share counters).
public final class FarmMetrics: @unchecked Sendable {
    let registry = PrometheusCollectorRegistry()
    let eventsAppended: Counter
    private let lock = NSLock()
    private var counted: Int64 = 0
    let projectionLag: Gauge
    /// Where appended events are counted (the store's broadcaster sees every append of this process).
    let appendedCount: @Sendable () -> Int64

    init(appendedCount: @escaping @Sendable () -> Int64) {
        self.appendedCount = appendedCount
        eventsAppended = registry.makeCounter(
            name: "printfarm_events_appended_total", help: "Events appended by this process")
        projectionLag = registry.makeGauge(
            name: "printfarm_projection_lag_events",
            help:
                "Events not yet reflected in the read models; read models are updated in the append's transaction, so this is 0 except during a rebuild"
        )
    }

    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        registry.makeCounter(
            name: "printfarm_http_requests_total",
            labels: [("method", method), ("route", route), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            name: "printfarm_http_request_duration_seconds", labels: [("method", method), ("route", route)],
            buckets: [
                .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                .milliseconds(50),
                .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
            ]
        ).recordNanoseconds(
            Int64(duration.components.seconds) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// The Prometheus text exposition of every metric.
    func render() -> String {
        // The store counts every append; the counter catches up with it at each scrape.
        let total = appendedCount()
        let delta = lock.withLock { () -> Int64 in
            defer { counted = max(counted, total) }
            return max(0, total - counted)
        }
        if delta > 0 { eventsAppended.increment(by: delta) }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}

/// Counts requests and their latency by route template (never by raw path, which would explode the label set).
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = FarmRequestContext
    let metrics: FarmMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        metrics.recordRequest(
            method: request.method.rawValue, route: context.endpointPath ?? "unknown", status: response.status.code,
            duration: ContinuousClock.now - start)
        return response
    }
}
