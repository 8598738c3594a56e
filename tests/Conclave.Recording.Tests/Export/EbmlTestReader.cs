using System.Buffers.Binary;

namespace Conclave.Recording.Tests.Export;

/// <summary>An EBML element found in a file (RFC 8794): its ID with marker bits, where its data starts, and the data's size.</summary>
internal readonly record struct EbmlElement(uint Id, long DataStart, long Size)
{
    public long End => DataStart + Size;
}

/// <summary>A test-only EBML walker, to check the structure of what the export writes.</summary>
internal static class EbmlTestReader
{
    public static EbmlElement ReadAt(byte[] file, long position)
    {
        int idLength = LeadingZeros(file[position]) + 1;
        uint id = 0;
        for (int i = 0; i < idLength; i++) id = id << 8 | file[position + i];
        long sizeAt = position + idLength;
        int sizeLength = LeadingZeros(file[sizeAt]) + 1;
        long size = file[sizeAt] & (0xFF >> sizeLength);
        for (int i = 1; i < sizeLength; i++) size = size << 8 | file[sizeAt + i];
        return new EbmlElement(id, sizeAt + sizeLength, size);
    }

    public static List<EbmlElement> Children(byte[] file, EbmlElement parent)
    {
        var children = new List<EbmlElement>();
        for (long position = parent.DataStart; position < parent.End;)
        {
            var child = ReadAt(file, position);
            children.Add(child);
            position = child.End;
        }
        return children;
    }

    public static List<EbmlElement> TopLevel(byte[] file) => Children(file, new EbmlElement(0, 0, file.Length));

    public static EbmlElement Child(byte[] file, EbmlElement parent, uint id) => Children(file, parent).Single(e => e.Id == id);

    public static ulong UInt(byte[] file, EbmlElement element)
    {
        ulong value = 0;
        for (long i = element.DataStart; i < element.End; i++) value = value << 8 | file[i];
        return value;
    }

    public static double Float(byte[] file, EbmlElement element) => BinaryPrimitives.ReadDoubleBigEndian(file.AsSpan((int)element.DataStart, 8));

    public static string String(byte[] file, EbmlElement element) => System.Text.Encoding.ASCII.GetString(file, (int)element.DataStart, (int)element.Size);

    private static int LeadingZeros(byte b) => System.Numerics.BitOperations.LeadingZeroCount((uint)b) - 24;
}
