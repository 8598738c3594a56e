namespace Conclave.Media.Rtp;

/// <summary>
/// The VP8 payload descriptor that starts every VP8 RTP payload (RFC 7741 §4.2):
/// <code>
///       0 1 2 3 4 5 6 7
///      +-+-+-+-+-+-+-+-+
///      |X|R|N|S|R| PID | (required)
///      +-+-+-+-+-+-+-+-+
/// X:   |I|L|T|K| RSV   | (optional)
///      +-+-+-+-+-+-+-+-+
/// I:   |M| PictureID   | (optional; a second byte of PictureID when M)
///      +-+-+-+-+-+-+-+-+
/// L:   |   TL0PICIDX   | (optional)
///      +-+-+-+-+-+-+-+-+
/// T/K: |TID|Y| KEYIDX  | (optional)
///      +-+-+-+-+-+-+-+-+
/// </code>
/// Only what the SFU needs is kept: whether the packet starts a frame, and where the VP8
/// payload (the encoded frame's bytes) begins.
/// </summary>
public readonly struct Vp8PayloadDescriptor
{
    private const byte ExtendedControlBit = 0x80, StartOfPartitionBit = 0x10, PartitionIndexMask = 0x07;
    private const byte PictureIdBit = 0x80, Tl0PicIdxBit = 0x40, TidBit = 0x20, KeyIdxBit = 0x10;
    private const byte LongPictureIdBit = 0x80;

    private Vp8PayloadDescriptor(bool startOfPartition, int partitionIndex, int length)
    {
        StartOfPartition = startOfPartition;
        PartitionIndex = partitionIndex;
        Length = length;
    }

    /// <summary>S: the packet starts a VP8 partition.</summary>
    public bool StartOfPartition { get; }

    /// <summary>PID: the partition this packet's data belongs to.</summary>
    public int PartitionIndex { get; }

    /// <summary>Bytes of descriptor; the VP8 payload follows.</summary>
    public int Length { get; }

    /// <summary>
    /// S=1 and PID=0: the packet carries the frame's first bytes, where the VP8 payload
    /// header is (RFC 7741 §4.3).
    /// </summary>
    public bool StartsFrame => StartOfPartition && PartitionIndex == 0;

    /// <summary>False when the payload ends before the descriptor its own bits announce.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out Vp8PayloadDescriptor descriptor)
    {
        descriptor = default;
        if (payload.IsEmpty) return false;
        byte first = payload[0];
        int length = 1;
        if ((first & ExtendedControlBit) != 0)
        {
            if (payload.Length < 2) return false;
            byte extension = payload[1];
            length = 2;
            if ((extension & PictureIdBit) != 0)
            {
                if (payload.Length <= length) return false;
                length += (payload[length] & LongPictureIdBit) != 0 ? 2 : 1;
            }
            if ((extension & Tl0PicIdxBit) != 0) length++;
            if ((extension & (TidBit | KeyIdxBit)) != 0) length++;
            if (payload.Length < length) return false;
        }
        descriptor = new Vp8PayloadDescriptor((first & StartOfPartitionBit) != 0, first & PartitionIndexMask, length);
        return true;
    }
}
