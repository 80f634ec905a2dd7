import FarmDomain
import Foundation
import QRCode

/// A spool's label, 62 × 29 mm (a common roll for label printers): a QR code that opens the spool's page, the
/// filament's name, material, colour and diameter, its lot, the spool's short id and weight, and a colour swatch.
/// SVG in millimetres, so it prints at its size from a browser.
enum SpoolLabel {
    static let width = 62.0
    static let height = 29.0

    static func svg(spool: Spool, filament: Filament?, vendor: Vendor?, lot: Lot?, link: String) throws -> String {
        let code = try QRCode(text: link, correction: .medium)
        // The symbol with its 4-module quiet zone fills the label's height.
        let module = height / Double(code.size + 8)
        var path = ""
        for y in 0..<code.size {
            var x = 0
            while x < code.size {
                guard code[x, y] else {
                    x += 1
                    continue
                }
                var run = 1
                while x + run < code.size, code[x + run, y] { run += 1 }
                path += "M\(x + 4) \(y + 4)h\(run)v1h-\(run)z"
                x += run
            }
        }
        let name = MaterialsPage.filamentName(filament)
        let details = [
            filament?.spec.material, filament?.spec.colour,
            filament.map { String(format: "%.2f mm", $0.spec.diameter) },
        ].compactMap { $0 }.joined(separator: " · ")
        let text = [
            (name, 4.2, "700"), (details, 3.0, "400"),
            (lot.map { "Lot \($0.spec.number)" } ?? vendor?.spec.name ?? "", 3.0, "400"),
            ("Spool \(spool.id.description.suffix(6)) · \(Int(spool.initialWeight.rounded())) g", 3.0, "400"),
        ]
        let left = height + 1
        var lines = ""
        var baseline = 6.0
        for (content, size, weight) in text where !content.isEmpty {
            lines += """
                <text x="\(left)" y="\(baseline)" font-size="\(size)" font-weight="\(weight)">\
                \(HTML.escape(String(content.prefix(40))))</text>
                """
            baseline += size + 2.2
        }
        let swatch = filament?.spec.colourHex.map { hex in
            """
            <rect x="\(width - 7)" y="\(height - 7)" width="5" height="5" rx="1" fill="#\(hex.prefix(6))" \
            stroke="#000" stroke-width="0.2"/>
            """
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)mm" height="\(height)mm" \
            viewBox="0 0 \(width) \(height)" font-family="DejaVu Sans, Arial, sans-serif" role="img">
            <title>\(HTML.escape("Spool \(spool.id): \(name)"))</title>
            <rect width="\(width)" height="\(height)" fill="#fff"/>
            <g transform="scale(\(module))"><path d="\(path)" fill="#000" shape-rendering="crispEdges"/></g>
            \(lines)\(swatch ?? "")
            </svg>

            """
    }
}
