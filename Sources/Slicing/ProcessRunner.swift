import ChildProcess
import Foundation

/// Runs a command to completion with a time limit, honouring task cancellation (the process is killed), and
/// returns its exit status and combined output (capped, so a chatty child cannot fill memory).
enum ProcessRunner {
    struct Finished: Sendable {
        var status: Int32
        var signalled: Bool
        var output: String
        var timedOut: Bool
        var cancelled: Bool
    }

    /// `onLine` sees each complete output line as it arrives (on another thread).
    static func run(
        _ executable: String, _ arguments: [String], timeout: Duration, outputLimit: Int = 1 << 20,
        onLine: @escaping @Sendable (Substring) -> Void = { _ in }
    ) async throws -> Finished {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let collector = OutputCollector(limit: outputLimit)
        let lines = LineSplitter(onLine: onLine)
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            collector.append(data)
            lines.feed(data)
        }
        let exited = ExitSignal()
        process.terminationHandler = { _ in exited.fire() }
        try process.run()
        let killer = Task {
            try await Task.sleep(for: timeout)
            collector.markTimedOut()
            process.terminate()
            try await Task.sleep(for: .seconds(2))
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        await withTaskCancellationHandler {
            await exited.wait()
        } onCancel: {
            collector.markCancelled()
            process.terminate()
        }
        killer.cancel()
        pipe.fileHandleForReading.readabilityHandler = nil
        collector.append(pipe.fileHandleForReading.readDataToEndOfFile())
        return Finished(
            status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
            output: collector.text,
            timedOut: collector.timedOut, cancelled: collector.cancelled)
    }
}

/// Output gathered from a child's pipe on another thread.
private final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private let limit: Int
    private(set) var timedOut = false
    private(set) var cancelled = false

    init(limit: Int) { self.limit = limit }

    func append(_ chunk: Data) {
        lock.withLock {
            data.append(chunk)
            // Keep the end: the slicer's last words say why it stopped.
            if data.count > limit { data = data.suffix(limit / 2) }
        }
    }

    func markTimedOut() { lock.withLock { timedOut = true } }
    func markCancelled() { lock.withLock { cancelled = true } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}

/// Cuts a byte stream into lines for a callback; the readability handler calls it from one thread at a time.
private final class LineSplitter: @unchecked Sendable {
    private var pending = Data()
    private let onLine: @Sendable (Substring) -> Void

    init(onLine: @escaping @Sendable (Substring) -> Void) { self.onLine = onLine }

    func feed(_ data: Data) {
        pending.append(data)
        while let newline = pending.firstIndex(of: 10) {
            onLine(Substring(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)))
            pending = Data(pending[pending.index(after: newline)...])
        }
        if pending.count > 1 << 16 { pending.removeAll() }
    }
}

/// A one-shot signal a task can wait for, fired from any thread.
private final class ExitSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false
    private var waiter: CheckedContinuation<Void, Never>?

    func fire() {
        let continuation: CheckedContinuation<Void, Never>? = lock.withLock {
            fired = true
            defer { waiter = nil }
            return waiter
        }
        continuation?.resume()
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow: Bool = lock.withLock {
                if fired { return true }
                waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
