import Testing

@testable import FarmPlates

@Suite("Plate composer")
struct PlateComposerTests {
    let bed = Bed(width: 250, depth: 210, spacing: 6)
    let all: Set<String> = ["p1", "p2"]

    func part(
        _ item: String, group: String = "PLA", size: Double = 30, copies: Int = 1, minutes: Int = 60, due: Int? = nil,
        weight: Int = 1, printers: Set<String>? = nil
    ) -> WaitingPart {
        WaitingPart(
            item: item, group: group, width: size, depth: size, copies: copies, minutes: minutes, due: due,
            weight: weight, printers: printers ?? all)
    }

    /// No two placements overlap (with the spacing), all lie on the bed, none on an exclusion.
    func checkLayout(_ plate: PlateDraft) {
        for (index, a) in plate.placements.enumerated() {
            #expect(a.rect.x >= 0 && a.rect.y >= 0 && a.rect.maxX <= plate.bed.width && a.rect.maxY <= plate.bed.depth)
            for b in plate.placements[(index + 1)...] {
                #expect(!a.rect.overlaps(b.rect, gap: plate.bed.spacing - 0.001), "\(a) overlaps \(b)")
            }
            for exclusion in plate.bed.exclusions { #expect(!a.rect.overlaps(exclusion, gap: 0)) }
        }
    }

    @Test("parts of several orders share one plate; materials never mix; the fill is the parts' share of the bed")
    func batches() {
        let composer = PlateComposer()
        let result = composer.compose(
            [part("a", copies: 3), part("b", copies: 2), part("c", group: "PETG", copies: 2), part("d", copies: 1)],
            open: [], beds: ["PLA": bed, "PETG": bed])
        #expect(result.unplaced.isEmpty)
        #expect(result.plates.count == 2)
        let pla = result.plates.first { $0.group == "PLA" }!
        #expect(Set(pla.parts.map(\.item)) == ["a", "b", "d"])
        #expect(pla.copies == 6 && pla.placements.count == 6)
        #expect(abs(pla.fill - 6 * 900 / (250 * 210)) < 1e-9)
        #expect(pla.minutes == 360 && pla.changed && pla.id == nil)
        #expect(result.plates.first { $0.group == "PETG" }!.copies == 2)
        for plate in result.plates { checkLayout(plate) }
    }

    @Test("a full bed opens a second plate; the estimate packs 30 mm parts about as densely as the slicer's 6 mm gap")
    func fullBed() {
        let result = PlateComposer().compose([part("a", copies: 60, minutes: 10)], open: [], beds: ["PLA": bed])
        #expect(result.plates.count == 2)
        // 36 mm pitch: 7 across 250 mm (the last needs only 30), 6 deep in 210 mm: 42 on the first plate. (PrusaSlicer
        // itself fits 36 of its 25 mm boxes on its 200 mm bed, as this estimate does, and refuses 38.)
        #expect(result.plates[0].copies == 42, "\(result.plates.map(\.copies))")
        #expect(result.plates[1].copies == 18)
        for plate in result.plates { checkLayout(plate) }
    }

    @Test("only printers that can make every part: parts with no printer in common take separate plates")
    func printers() {
        let result = PlateComposer().compose(
            [
                part("a", printers: ["p1"]), part("b", printers: ["p1", "p2"]), part("c", printers: ["p2"]),
            ], open: [], beds: ["PLA": bed])
        #expect(result.plates.count == 2)
        for plate in result.plates { #expect(plate.printers.count == 1) }
        let withA = result.plates.first { $0.parts.contains { $0.item == "a" } }!
        #expect(withA.printers == ["p1"] && withA.parts.map(\.item).contains("b"))
    }

    @Test("an urgent part is never held back: it joins no plate that would finish after its due date")
    func urgent() {
        let result = PlateComposer().compose(
            [
                part("slow", copies: 3, minutes: 120, due: 2000), part("urgent", minutes: 30, due: 100),
                part("soon", minutes: 50, due: 90),
            ], open: [], beds: ["PLA": bed])
        // "soon" (due 90) leads; "urgent" (due 100) cannot join it (50 + 30 ≤ 90 holds; so it does); "slow" may not
        // join them (it would end at 200 > 90).
        let first = result.plates[0]
        #expect(first.parts.map(\.item) == ["soon", "urgent"])
        #expect(first.due == 90 && first.minutes == 80)
        #expect(result.plates[1].parts.map(\.item) == ["slow"] && result.plates[1].due == 2000)
        // Already late alone: a plate of its own.
        let late = PlateComposer().compose(
            [part("late", minutes: 90, due: 30), part("other", minutes: 10)], open: [], beds: ["PLA": bed])
        #expect(late.plates.map { $0.parts.map(\.item) } == [["late"], ["other"]])
    }

    @Test("a part too big for the bed is unplaced with its size and the bed's; others still compose")
    func tooBig() {
        let result = PlateComposer().compose(
            [part("big", size: 260), part("ok")], open: [], beds: ["PLA": bed])
        #expect(result.unplaced["big"]?.contains("260 × 260 mm footprint does not fit the 250 × 210 mm bed") == true)
        #expect(result.plates.map { $0.parts.map(\.item) } == [["ok"]])
        let nowhere = PlateComposer().compose([part("x", group: "ASA"), part("y", printers: [])], open: [], beds: [:])
        #expect(nowhere.unplaced["x"]?.contains("no bed") == true && nowhere.unplaced["y"] != nil)
        #expect(nowhere.plates.isEmpty)
    }

    @Test("open plates fill first and keep their id; locked ones and those at their slicer-learned limit do not")
    func openPlates() {
        let composer = PlateComposer()
        let open = composer.reopen(id: "plate-1", group: "PLA", bed: bed, parts: [part("old", copies: 2)])
        #expect(!open.changed && open.copies == 2)
        let filled = composer.compose([part("new")], open: [open], beds: ["PLA": bed])
        #expect(filled.plates.count == 1 && filled.plates[0].id == "plate-1" && filled.plates[0].changed)
        #expect(filled.plates[0].parts.map(\.item) == ["old", "new"])
        let locked = composer.reopen(id: "plate-1", group: "PLA", bed: bed, parts: [part("old")], locked: true)
        let beside = composer.compose([part("new")], open: [locked], beds: ["PLA": bed])
        #expect(beside.plates.count == 2 && !beside.plates[0].changed && beside.plates[1].id == nil)
        let limited = composer.reopen(id: "plate-1", group: "PLA", bed: bed, parts: [part("old")], maxFill: 0.02)
        #expect(composer.compose([part("new")], open: [limited], beds: ["PLA": bed]).plates.count == 2)
    }

    @Test("exclusions and the part limit: nothing lands on an excluded corner; solo mode is one part per plate")
    func exclusionsAndSolo() {
        let clipped = Bed(
            width: 100, depth: 100, spacing: 5, exclusions: [BedRect(x: 0, y: 0, width: 40, depth: 40)])
        let result = PlateComposer().compose([part("a", size: 20, copies: 12)], open: [], beds: ["PLA": clipped])
        for plate in result.plates { checkLayout(plate) }
        #expect(result.plates[0].copies >= 9, "the free L-shape takes at least 9: \(result.plates.map(\.copies))")
        let solo = PlateComposer(rules: CompositionRules(maxParts: 1)).compose(
            [part("a", copies: 3), part("b")], open: [], beds: ["PLA": bed])
        #expect(solo.plates.map(\.copies) == [1, 1, 1, 1])
    }

    @Test("release: a well-filled plate goes at once; a sparse one gathers, but not past its due date or the hold")
    func release() {
        let rule = PlateRelease(releaseFill: 0.5, holdMinutes: 60)
        #expect(rule.decide(fill: 0.6, waited: 0, minutes: 100, due: nil, locked: false, full: false).released)
        #expect(rule.decide(fill: 0.1, waited: 0, minutes: 100, due: nil, locked: true, full: false).released)
        #expect(rule.decide(fill: 0.1, waited: 0, minutes: 100, due: nil, locked: false, full: true).released)
        #expect(
            rule.decide(fill: 0.1, waited: 20, minutes: 100, due: nil, locked: false, full: false)
                == .gather(minutes: 40, "the bed is 10 % full; it waits for parts of other orders"))
        #expect(rule.decide(fill: 0.1, waited: 60, minutes: 100, due: nil, locked: false, full: false).released)
        // Due in 3 h, prints 100 min: it may wait 180 − 100 − 60 = 20 min.
        guard
            case .gather(let left, _) = rule.decide(
                fill: 0.1, waited: 0, minutes: 100, due: 180, locked: false, full: false)
        else {
            Issue.record("expected to gather")
            return
        }
        #expect(left == 20)
        #expect(rule.decide(fill: 0.1, waited: 0, minutes: 100, due: 150, locked: false, full: false).released)
    }
}
