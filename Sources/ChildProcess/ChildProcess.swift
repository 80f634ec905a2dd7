import CSpawn
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process, with the part of Foundation's `Process` the farm uses. On Linux, `Process.run()` scans
/// `/proc/self/fd` with a 256-byte over-read that crashes the whole program now and then (Swift 6.3.1,
/// swift-corelibs-foundation#5472; it took down test runs that start many children). This starts children with
/// `posix_spawn` instead: every descriptor but the standard three closed, the signal mask and dispositions reset.
public final class ChildProcess: @unchecked Sendable {
    public enum TerminationReason: Sendable { case exit, uncaughtSignal }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public var executableURL: URL?
    public var arguments: [String] = []
    /// nil: this process's environment.
    public var environment: [String: String]?
    /// nil: this process's directory.
    public var currentDirectoryURL: URL?
    /// A `FileHandle` or a `Pipe` (its reading end goes to the child); nil: inherited.
    public var standardInput: Any?
    /// A `FileHandle` or a `Pipe` (its writing end goes to the child, and is closed here once it has it); nil:
    /// inherited.
    public var standardOutput: Any?
    public var standardError: Any?
    /// Called once, on another thread, when the child has ended.
    public var terminationHandler: (@Sendable (ChildProcess) -> Void)? {
        get { lock.withLock { handler } }
        set { lock.withLock { handler = newValue } }
    }

    private let lock = NSCondition()
    private var handler: (@Sendable (ChildProcess) -> Void)?
    private var pid: pid_t = 0
    private var running = false
    private var status: Int32 = 0
    private var reason = TerminationReason.exit

    public init() {}

    public var processIdentifier: Int32 { lock.withLock { pid } }
    public var isRunning: Bool { lock.withLock { running } }
    public var terminationStatus: Int32 { lock.withLock { status } }
    public var terminationReason: TerminationReason { lock.withLock { reason } }

    public func run() throws {
        guard let executable = executableURL?.path else { throw Failure(description: "no executable to run") }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { values in
            values.map { strdup("\($0.key)=\($0.value)") } + [nil]
        }
        defer {
            for pointer in argv + (envp ?? []) { free(pointer) }
        }
        var child: pid_t = 0
        let result =
            currentDirectoryURL?.path.withCString { cwd in
                spawn(&child, executable, argv, envp, cwd)
            } ?? spawn(&child, executable, argv, envp, nil)
        guard result == 0 else {
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        // The child has its ends of the pipes: without closing ours, a reader would never see the end.
        (standardOutput as? Pipe)?.fileHandleForWriting.closeQuietly()
        (standardError as? Pipe)?.fileHandleForWriting.closeQuietly()
        (standardInput as? Pipe)?.fileHandleForReading.closeQuietly()
        let started = child
        lock.withLock {
            pid = started
            running = true
        }
        let waiter = Thread { [self] in wait(for: started) }
        waiter.name = "child-\(started)"
        waiter.start()
    }

    private func spawn(
        _ child: inout pid_t, _ executable: String, _ argv: [UnsafeMutablePointer<CChar>?],
        _ envp: [UnsafeMutablePointer<CChar>?]?, _ cwd: UnsafePointer<CChar>?
    ) -> Int32 {
        let input = Self.descriptor(standardInput, reading: true)
        let output = Self.descriptor(standardOutput, reading: false)
        let error = Self.descriptor(standardError, reading: false)
        return argv.withUnsafeBufferPointer { args in
            if let envp {
                return envp.withUnsafeBufferPointer { env in
                    cspawn_spawn(&child, executable, args.baseAddress, env.baseAddress, cwd, input, output, error)
                }
            }
            return cspawn_spawn(&child, executable, args.baseAddress, nil, cwd, input, output, error)
        }
    }

    private static func descriptor(_ stream: Any?, reading: Bool) -> Int32 {
        switch stream {
        case let handle as FileHandle: handle.fileDescriptor
        case let pipe as Pipe:
            reading ? pipe.fileHandleForReading.fileDescriptor : pipe.fileHandleForWriting.fileDescriptor
        default: -1
        }
    }

    private func wait(for child: pid_t) {
        var raw: Int32 = 0
        while waitpid(child, &raw, 0) == -1 && errno == EINTR {}
        // WIFSIGNALED / WTERMSIG / WEXITSTATUS, which Swift does not import as functions.
        let signal = raw & 0x7F
        let handler: (@Sendable (ChildProcess) -> Void)? = lock.withLock {
            if signal != 0 && signal != 0x7F {
                reason = .uncaughtSignal
                status = signal
            } else {
                reason = .exit
                status = (raw >> 8) & 0xFF
            }
            running = false
            lock.broadcast()
            return self.handler
        }
        handler?(self)
    }

    public func waitUntilExit() {
        lock.withLock {
            while running { lock.wait() }
        }
    }

    /// SIGTERM.
    public func terminate() { send(SIGTERM) }
    /// SIGINT, as Ctrl-C.
    public func interrupt() { send(SIGINT) }

    public func send(_ signal: Int32) {
        let (child, alive) = lock.withLock { (pid, running) }
        if alive, child > 0 { kill(child, signal) }
    }
}

extension FileHandle {
    fileprivate func closeQuietly() { try? close() }
}
