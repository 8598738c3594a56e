using System.Globalization;
using System.Text;

namespace Conclave.Testing;

/// <summary>
/// A small, valid PDF 1.4 (ISO 32000-1) written by hand: one A5-landscape page per text line, the
/// line in 36-point Helvetica (a standard font, so no font is embedded) on a black bar, with an exact
/// cross-reference table — what a shared record looks like to a viewer, and nothing a test did not put there.
/// </summary>
public static class TestPdf
{
    private const int WidthPt = 595;
    private const int HeightPt = 420;

    public static byte[] Create(params string[] pageTexts)
    {
        if (pageTexts.Length == 0) throw new ArgumentException("A PDF needs a page.", nameof(pageTexts));
        var objects = new List<string>();
        int pagesObject = 2, fontObject = 3, firstPage = 4;
        objects.Add("<< /Type /Catalog /Pages 2 0 R >>");
        var kids = string.Join(' ', Enumerable.Range(0, pageTexts.Length).Select(i => $"{firstPage + 2 * i} 0 R"));
        objects.Add($"<< /Type /Pages /Kids [{kids}] /Count {pageTexts.Length} >>");
        objects.Add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
        foreach (var text in pageTexts)
        {
            int contentObject = objects.Count + 2;
            objects.Add($"<< /Type /Page /Parent {pagesObject} 0 R /MediaBox [0 0 {WidthPt} {HeightPt}] " +
                        $"/Resources << /Font << /F1 {fontObject} 0 R >> >> /Contents {contentObject} 0 R >>");
            // A black bar across the top third, then the text: pixels a renderer must put there.
            var stream = string.Create(CultureInfo.InvariantCulture,
                $"0 g 0 {HeightPt - 120} {WidthPt} 120 re f\nBT /F1 36 Tf 40 150 Td ({Escape(text)}) Tj ET\n");
            objects.Add($"<< /Length {Encoding.Latin1.GetByteCount(stream)} >>\nstream\n{stream}endstream");
        }

        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        foreach (var (body, index) in objects.Select((o, i) => (o, i + 1)))
        {
            offsets.Add(Encoding.Latin1.GetByteCount(pdf.ToString()));
            pdf.Append(CultureInfo.InvariantCulture, $"{index} 0 obj\n{body}\nendobj\n");
        }
        int xref = Encoding.Latin1.GetByteCount(pdf.ToString());
        pdf.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
        foreach (int offset in offsets) pdf.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        pdf.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.Latin1.GetBytes(pdf.ToString());
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("(", "\\(").Replace(")", "\\)");
}
