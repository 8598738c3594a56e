using System.Buffers.Binary;
using System.Globalization;
using Conclave.Media.Sdp;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Export;

/// <summary>
/// Each publisher's RTP, set aside while the first pass reads the segments so that the media
/// pass reads one publisher's packets back without opening every segment again. A record is
/// <c>uint64 arrival_us ‖ uint8 kind (0 audio, 1 video) ‖ uint32 length ‖ RTP packet</c>: the
/// packets are SFrame ciphertext as stored, so nothing here is readable without the escrow.
/// The directory is deleted with the spill.
/// </summary>
internal sealed class RtpSpill(string directory) : IDisposable
{
    private const int RecordHeaderBytes = 8 + 1 + 4;
    private const int BufferBytes = 1 << 16;

    private readonly Dictionary<string, Publisher> _publishers = new(StringComparer.Ordinal);

    /// <summary>The publishers with spilled packets, in order of their first.</summary>
    public List<string> PublisherIds { get; } = [];

    public void Append(RecordedRtp rtp)
    {
        if (!_publishers.TryGetValue(rtp.PublisherPeerId, out var publisher))
        {
            if (_publishers.Count == 0) Directory.CreateDirectory(directory);
            string path = Path.Combine(directory, _publishers.Count.ToString(CultureInfo.InvariantCulture) + ".rtp");
            publisher = new Publisher(path, new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, BufferBytes));
            _publishers.Add(rtp.PublisherPeerId, publisher);
            PublisherIds.Add(rtp.PublisherPeerId);
        }
        Span<byte> header = stackalloc byte[RecordHeaderBytes];
        BinaryPrimitives.WriteUInt64BigEndian(header, rtp.ArrivalUs);
        header[8] = rtp.Kind == MediaKind.Video ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(header[9..], (uint)rtp.RtpPacket.Length);
        publisher.File.Write(header);
        publisher.File.Write(rtp.RtpPacket);
        publisher.Packets++;
    }

    public long Packets(string publisherId) => _publishers.TryGetValue(publisherId, out var publisher) ? publisher.Packets : 0;

    /// <summary>The publisher's packets, video and audio apart, in arrival order.</summary>
    public (List<RecordedRtp> Video, List<RecordedRtp> Audio) Read(string publisherId)
    {
        var publisher = _publishers[publisherId];
        var file = publisher.File;
        file.Flush();
        file.Position = 0;
        var video = new List<RecordedRtp>();
        var audio = new List<RecordedRtp>();
        Span<byte> header = stackalloc byte[RecordHeaderBytes];
        while (file.Position < file.Length)
        {
            file.ReadExactly(header);
            var packet = new byte[BinaryPrimitives.ReadUInt32BigEndian(header[9..])];
            file.ReadExactly(packet);
            var kind = header[8] == 1 ? MediaKind.Video : MediaKind.Audio;
            (kind == MediaKind.Video ? video : audio).Add(new RecordedRtp(BinaryPrimitives.ReadUInt64BigEndian(header), publisherId, kind, packet));
        }
        return (video, audio);
    }

    /// <summary>Closes and deletes the publisher's file once its media is written.</summary>
    public void Release(string publisherId)
    {
        if (!_publishers.TryGetValue(publisherId, out var publisher)) return;
        publisher.File.Dispose();
        File.Delete(publisher.Path);
    }

    public void Dispose()
    {
        foreach (var publisher in _publishers.Values) publisher.File.Dispose();
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    private sealed class Publisher(string path, FileStream file)
    {
        public string Path { get; } = path;
        public FileStream File { get; } = file;
        public long Packets { get; set; }
    }
}
