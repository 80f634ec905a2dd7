/// At most `limit` holders at once; the others wait in order. For child processes that each want a core.
actor AsyncSemaphore {
    private let limit: Int
    private var holders = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private(set) var peak = 0

    init(limit: Int) { self.limit = max(1, limit) }

    func acquire() async {
        if holders < limit {
            holders += 1
            peak = max(peak, holders)
            return
        }
        await withCheckedContinuation { waiting.append($0) }
        peak = max(peak, holders)
    }

    func release() {
        if waiting.isEmpty {
            holders -= 1
        } else {
            // The slot passes straight to the next waiter.
            waiting.removeFirst().resume()
        }
    }
}
