using System.Diagnostics;
using System.Text;
using Conclave.Testing;
using Microsoft.Playwright;

namespace Conclave.Browser.Tests;

/// <summary>
/// Shared documents with real Chromium (docs/content-sharing.md): a hospital consultation where a
/// DICOM MR series and a PDF record are shared, shown at the presenter's slice, window and page,
/// and annotated — and the appliance holds nothing of them but ciphertext.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class ContentSharingTests(DaemonFixture fixture)
{
    private static readonly TimeSpan ShownTimeout = TimeSpan.FromSeconds(30);

    // make-dicom-series.py's series: 40×32, window 400/1000, slice k's 8×8 square (stored 2000) at
    // rows 4+2k…11+2k, columns 4+3k…11+3k; elsewhere the ramp 100 + 3c + 2r + k.
    private const int SeriesColumns = 40;
    private const int SeriesRows = 32;

    [Fact]
    public async Task A_consultation_shares_an_MR_series_and_a_PDF_record_that_the_others_see_at_the_presenters_slice_window_and_page_with_her_annotation()
    {
        string room = $"consultation-{Guid.NewGuid():N}"[..24];
        fixture.Forwarded.Record(fixture.Meetings.MeetingId(room));
        await using var doctor = await fixture.JoinAsync(room, "Dr Ada Byron");
        await using var colleague = await fixture.JoinAsync(room, "Dr Lin Wu");
        await using var patient = await fixture.JoinAsync(room, "Sam Patient");
        await MeetingParticipant.SameSecurityCodeAsync([doctor, colleague, patient]);
        MeetingParticipant[] viewers = [colleague, patient];

        // The series keeps its patient details (de-identification off): they must reach the
        // members, sealed, and never the appliance.
        string series = MakeSeries("--syntax", "explicit", "--slices", "4");
        await doctor.Page.UncheckAsync("#share-deidentify");
        await ShareAsync(doctor, Directory.GetFiles(series).Order().ToArray());
        string seriesShare = await ShownShareAsync(doctor, pageCount: 4);
        foreach (var viewer in viewers)
        {
            await ShownAsync(viewer, seriesShare, page: 0);
            // Default window 400/1000 (PS3.3 C.11.2.1.2): the square (2000) is white; the ramp at
            // row 0, column 0 (stored 100) is ((100 − 399.5)/999 + 0.5)·255 ≈ 51.
            Assert.Equal(255, await SeriesPixelAsync(viewer, row: 8, column: 8));
            Assert.InRange(await SeriesPixelAsync(viewer, row: 0, column: 0), 48, 54);
            await Assertions.Expect(viewer.Page.Locator("#document-notice")).ToContainTextAsync("Not for diagnosis");
            await Assertions.Expect(viewer.Page.Locator("#document-notice")).ToContainTextAsync("MARKER");
        }

        // The presenter scrolls to slice 2 and narrows the window; both follow.
        await doctor.Page.ClickAsync("#document-next");
        await doctor.Page.ClickAsync("#document-next");
        foreach (var viewer in viewers)
        {
            await ShownAsync(viewer, seriesShare, page: 2);
            Assert.Equal(255, await SeriesPixelAsync(viewer, row: 4 + 2 * 2 + 3, column: 4 + 3 * 2 + 3));
        }
        await doctor.Page.FillAsync("#document-window-width", "200");
        await doctor.Page.FillAsync("#document-window-center", "200");
        await doctor.Page.DispatchEventAsync("#document-window-center", "change");
        foreach (var viewer in viewers)
        {
            await viewer.Page.WaitForFunctionAsync("() => window.conclave.content.rendered?.window?.center === 200 && window.conclave.content.rendered?.window?.width === 200",
                null, new() { Timeout = (float)ShownTimeout.TotalMilliseconds });
            // Slice 2, row 0, column 20: stored 100 + 60 + 2 = 162 → ((162 − 199.5)/199 + 0.5)·255 ≈ 79.
            Assert.InRange(await SeriesPixelAsync(viewer, row: 0, column: 20), 76, 82);
        }

        // She circles something; the others see her stroke over the same slice.
        await DrawAsync(doctor);
        foreach (var viewer in viewers)
        {
            await viewer.Page.WaitForFunctionAsync("() => window.conclave.content.shownStrokeIds.length === 1", null, new() { Timeout = (float)ShownTimeout.TotalMilliseconds });
            Assert.True(await InkedPixelsAsync(viewer) > 0, $"{viewer.Name} shows no ink");
        }

        // The record: a PDF, page 2 shown to everyone.
        string recordText = $"MARKER record {Guid.NewGuid():N}"[..30];
        string recordFile = Path.Combine(Directory.CreateTempSubdirectory("conclave-record-").FullName, "MARKER-patient-record.pdf");
        await File.WriteAllBytesAsync(recordFile, TestPdf.Create($"{recordText} page one", $"{recordText} page two"));
        await ShareAsync(doctor, [recordFile]);
        string recordShare = await ShownShareAsync(doctor, pageCount: 2);
        await doctor.Page.ClickAsync("#document-next");
        foreach (var viewer in viewers)
        {
            await ShownAsync(viewer, recordShare, page: 1);
            // The page's black bar across its top third is on the canvas.
            Assert.True(await CanvasPixelAsync(viewer, 0.5, 0.1) < 40, $"{viewer.Name} did not render the PDF page");
            Assert.True(await CanvasPixelAsync(viewer, 0.5, 0.9) > 200, $"{viewer.Name}'s page is not white below the bar");
        }

        // Nothing of either document on the appliance: no file name, no page text, no tag value —
        // in its state directory and log, nor in any media packet the SFU forwarded meanwhile.
        string[] markers = ["MARKER", recordText, "PATIENT^PHI", "MARKER-patient-record"];
        await fixture.AssertApplianceHoldsNoneAsync("shared content", markers);
        var forwarded = fixture.Forwarded.Packets(fixture.Meetings.MeetingId(room));
        Assert.NotEmpty(forwarded);
        foreach (string marker in markers)
        {
            Assert.DoesNotContain(forwarded, p => p.RtpPacket.AsSpan().IndexOf(Encoding.UTF8.GetBytes(marker)) >= 0);
        }
    }

    [Fact]
    public async Task Files_no_one_could_view_are_refused_with_a_message_and_a_forged_annotation_is_dropped_while_the_meeting_goes_on()
    {
        string room = $"bad-content-{Guid.NewGuid():N}"[..24];
        await using var alice = await fixture.JoinAsync(room, "Alice");
        await using var bob = await fixture.JoinAsync(room, "Bob");
        await MeetingParticipant.SameSecurityCodeAsync([alice, bob]);
        string folder = Directory.CreateTempSubdirectory("conclave-bad-").FullName;

        // A good share first, so there is something for the others to keep seeing.
        string good = Path.Combine(folder, "good.pdf");
        await File.WriteAllBytesAsync(good, TestPdf.Create("Agenda"));
        await ShareAsync(alice, [good]);
        string agenda = await ShownShareAsync(alice, pageCount: 1);
        await ShownAsync(bob, agenda, page: 0);

        var refusals = new (string File, byte[] Bytes, string Message)[]
        {
            ("corrupt.pdf", Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage"), "PDF"),
            ("drawing.svg", Encoding.ASCII.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"), "SVG"),
            ("bomb.png", PngHeader(100_000, 100_000), "pixels"),
            // A viewable header, then more bytes than the appliance takes for one file.
            ("large.png", [.. PngHeader(100, 100), .. new byte[DaemonFixture.MaxSharedFileBytes]], "larger than this appliance accepts"),
        };
        foreach (var (name, bytes, message) in refusals)
        {
            string path = Path.Combine(folder, name);
            await File.WriteAllBytesAsync(path, bytes);
            await ShareAsync(alice, [path]);
            await Assertions.Expect(alice.Page.Locator("#share-message")).ToContainTextAsync("Not shared");
            await Assertions.Expect(alice.Page.Locator("#share-message")).ToContainTextAsync(message);
        }
        string jpeg2000 = MakeSeries("--syntax", "jpeg2000-label", "--slices", "2");
        await ShareAsync(alice, Directory.GetFiles(jpeg2000).Order().ToArray());
        await Assertions.Expect(alice.Page.Locator("#share-message")).ToContainTextAsync("JPEG 2000");

        // Bob continues Alice's stroke in her name: his op is dropped at Alice, counted, her stroke unchanged.
        await DrawAsync(alice);
        await bob.Page.WaitForFunctionAsync("() => window.conclave.content.shownStrokeIds.length === 1");
        await bob.Page.EvaluateAsync(@"async () => {
            const strokeId = window.conclave.content.shownStrokeIds[0];
            await window.conclave.session.sendContent({ t: 'annotation', op: { op: 'points', strokeId, points: [1, 1, 65535, 65535] } });
        }");
        await alice.Page.WaitForFunctionAsync("() => window.conclave.content.annotationsDropped.forged === 1",
            null, new() { Timeout = (float)ShownTimeout.TotalMilliseconds });

        // A content message no member sealed (what someone outside the group could put on the wire,
        // relayed by the appliance as it relays every one): Alice cannot open it, counts it, shows nothing.
        await bob.Page.EvaluateAsync(@"() => {
            const forged = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(96))));
            const epoch = Number(window.conclave.epoch);
            window.conclave.session.send({ type: 'data', epoch, kind: 'content', ct: forged });
        }");
        await alice.Page.WaitForFunctionAsync("() => Object.values(window.conclave.session.contentDropped).reduce((a, b) => a + b, 0) >= 1",
            null, new() { Timeout = (float)ShownTimeout.TotalMilliseconds });
        Assert.Equal(1, await alice.Page.EvaluateAsync<int>("() => window.conclave.content.shownStrokeIds.length"));

        // Only the files that could be viewed were shared, and Bob still sees the agenda.
        Assert.Equal(1, await bob.Page.EvaluateAsync<int>("() => window.conclave.content.shares.length"));
        Assert.Equal(agenda, await bob.Page.EvaluateAsync<string>("() => window.conclave.content.rendered.shareId"));
    }

    private static async Task ShareAsync(MeetingParticipant sharer, string[] files)
    {
        await sharer.Page.SetInputFilesAsync("#share-file", files);
        await sharer.Page.GetByRole(AriaRole.Button, new() { Name = "Share", Exact = true }).ClickAsync();
    }

    /// <summary>The share the sharer's own stage shows once it has <paramref name="pageCount"/> pages.</summary>
    private static async Task<string> ShownShareAsync(MeetingParticipant sharer, int pageCount)
    {
        await sharer.Page.WaitForFunctionAsync("n => window.conclave.content?.rendered?.pageCount === n", pageCount,
            new() { Timeout = (float)ShownTimeout.TotalMilliseconds });
        return await sharer.Page.EvaluateAsync<string>("() => window.conclave.content.rendered.shareId");
    }

    private static Task ShownAsync(MeetingParticipant viewer, string shareId, int page) =>
        viewer.Page.WaitForFunctionAsync("([id, page]) => window.conclave.content?.rendered?.shareId === id && window.conclave.content.rendered.page === page",
            new object[] { shareId, page }, new() { Timeout = (float)ShownTimeout.TotalMilliseconds });

    /// <summary>The grey value the stage shows for a pixel of the series (its canvas may be scaled).</summary>
    private static Task<int> SeriesPixelAsync(MeetingParticipant viewer, int row, int column) =>
        CanvasPixelAsync(viewer, (column + 0.5) / SeriesColumns, (row + 0.5) / SeriesRows);

    private static Task<int> CanvasPixelAsync(MeetingParticipant viewer, double x, double y) =>
        viewer.Page.EvaluateAsync<int>(@"([x, y]) => {
            const canvas = document.querySelector('#document-canvas');
            return canvas.getContext('2d').getImageData(Math.floor(x * canvas.width), Math.floor(y * canvas.height), 1, 1).data[0];
        }", new object[] { x, y });

    private static Task<int> InkedPixelsAsync(MeetingParticipant viewer) =>
        viewer.Page.EvaluateAsync<int>(@"() => {
            const ink = document.querySelector('#document-ink');
            const data = ink.getContext('2d').getImageData(0, 0, ink.width, ink.height).data;
            let inked = 0;
            for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
            return inked;
        }");

    /// <summary>Turns on drawing and drags a diagonal across the middle of the document.</summary>
    private static async Task DrawAsync(MeetingParticipant author)
    {
        await author.Page.ClickAsync("#document-draw");
        await author.Page.Locator("#document-ink").ScrollIntoViewIfNeededAsync();
        var box = (await author.Page.Locator("#document-ink").BoundingBoxAsync())!;
        await author.Page.Mouse.MoveAsync(box.X + box.Width * 0.3f, box.Y + box.Height * 0.3f);
        await author.Page.Mouse.DownAsync();
        for (int step = 1; step <= 10; step++)
        {
            await author.Page.Mouse.MoveAsync(box.X + box.Width * (0.3f + 0.04f * step), box.Y + box.Height * (0.3f + 0.04f * step));
        }
        await author.Page.Mouse.UpAsync();
    }

    /// <summary>A synthetic MR series from tests/support/make-dicom-series.py (python3-pydicom, dcmtk).</summary>
    private static string MakeSeries(params string[] options)
    {
        string folder = Directory.CreateTempSubdirectory("conclave-series-").FullName;
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(RepositoryFiles.PathOf("tests", "support", "make-dicom-series.py"));
        foreach (string option in options) start.ArgumentList.Add(option);
        start.ArgumentList.Add("--out");
        start.ArgumentList.Add(folder);
        using var process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? folder : throw new InvalidOperationException($"make-dicom-series.py failed: {errors}");
    }

    /// <summary>A PNG signature and IHDR claiming <paramref name="width"/>×<paramref name="height"/> pixels, and no image data.</summary>
    private static byte[] PngHeader(int width, int height)
    {
        var png = new byte[33];
        new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(png, 0);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(8), 13);
        Encoding.ASCII.GetBytes("IHDR").CopyTo(png, 12);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), (uint)width);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), (uint)height);
        png[24] = 8;   // bit depth
        png[25] = 6;   // RGBA
        return png;
    }
}
