using Conclave.Testing;
using System.Security.Cryptography;
using System.Text;
using Conclave.Crypto.Envelopes;
using Conclave.Web.SharedFiles;

namespace Conclave.Web.Tests.SharedFiles;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SharedFileStoreTests : IDisposable
{
    private const string Meeting = "m-123";
    private static readonly byte[] Marker = Encoding.ASCII.GetBytes("CONCLAVE-PLAINTEXT-MARKER-7f3a");

    private readonly string _root = Directory.CreateTempSubdirectory("conclave-files-").FullName;
    private readonly SoftwareKeyWrapper _kek = new();
    private readonly SharedFileStore _store;

    public SharedFileStoreTests() => _store = new SharedFileStore(Path.Combine(_root, "meetings"), _kek);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string NewFileId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>200 KiB (four chunks) with the marker spread through it.</summary>
    private static byte[] Upload()
    {
        var bytes = RandomNumberGenerator.GetBytes(200 * 1024);
        for (int at = 0; at + Marker.Length < bytes.Length; at += 50_000) Marker.CopyTo(bytes, at);
        return bytes;
    }

    private async Task<byte[]> DownloadAsync(string fileId)
    {
        using var output = new MemoryStream();
        await _store.OpenAsync(Meeting, fileId, output);
        return output.ToArray();
    }

    private IEnumerable<string> FilesUnderRoot() => Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories);

    [Fact]
    public async Task A_file_comes_back_byte_for_byte_and_what_is_on_disk_holds_none_of_it()
    {
        var upload = Upload();
        string fileId = NewFileId();

        await _store.WriteAsync(Meeting, fileId, new MemoryStream(upload), upload.Length);

        Assert.Equal(upload, await DownloadAsync(fileId));
        string path = Assert.Single(FilesUnderRoot());
        Assert.Equal(Path.Combine(_root, "meetings", Meeting, "files", fileId), path);
        Assert.Equal(-1, File.ReadAllBytes(path).AsSpan().IndexOf(Marker));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public async Task An_empty_file_round_trips()
    {
        string fileId = NewFileId();
        await _store.WriteAsync(Meeting, fileId, new MemoryStream(), 0);

        Assert.Empty(await DownloadAsync(fileId));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(+1)]
    public async Task A_body_shorter_or_longer_than_declared_leaves_no_file_behind(int difference)
    {
        var upload = Upload();

        await Assert.ThrowsAsync<IncompleteUploadException>(() => _store.WriteAsync(Meeting, NewFileId(), new MemoryStream(upload), upload.Length - difference));

        Assert.Empty(FilesUnderRoot());
    }

    [Fact]
    public async Task A_connection_failing_in_the_middle_of_the_body_leaves_no_file_behind()
    {
        var upload = Upload();

        var failure = await Assert.ThrowsAsync<IncompleteUploadException>(() =>
            _store.WriteAsync(Meeting, NewFileId(), new FailingAfter(upload, 100_000), upload.Length));

        Assert.Contains($"of {upload.Length} bytes", failure.Message);
        Assert.Empty(FilesUnderRoot());
    }

    [Fact]
    public async Task Shredding_zeroes_the_wrapped_key_in_place_before_deleting_and_removes_the_meetings_empty_directories()
    {
        var upload = Upload();
        string fileId = NewFileId(), other = NewFileId();
        await _store.WriteAsync(Meeting, fileId, new MemoryStream(upload), upload.Length);
        await _store.WriteAsync(Meeting, other, new MemoryStream(upload), upload.Length);
        // A second name for the same inode still shows its bytes after the first name is deleted.
        string path = _store.PathOf(Meeting, fileId), witness = Path.Combine(_root, "witness");
        HardLinks.Create(path, witness);
        var (wrappedAt, wrappedLength) = WrappedKeyRegion(File.ReadAllBytes(path));

        _store.Shred(Meeting, fileId);

        Assert.False(File.Exists(path));
        var shredded = File.ReadAllBytes(witness);
        Assert.True(shredded.AsSpan(wrappedAt, wrappedLength).IndexOfAnyExcept((byte)0) < 0);
        Assert.Throws<SealedDataException>(() => SealedEnvelope.Open(shredded, _kek, "witness"));
        Assert.Equal(upload, await DownloadAsync(other));

        _store.Shred(Meeting, other);
        File.Delete(witness);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_root, "meetings")));
        _store.Shred(Meeting, other);
    }

    [Theory]
    [InlineData("../x", "0123456789abcdef0123456789abcdef")]
    [InlineData("m-123", "../../../../etc/passwd")]
    [InlineData("m-123", "0123456789ABCDEF0123456789ABCDEF")]
    public void An_id_that_is_not_one_is_refused_before_any_path_is_made(string meetingId, string fileId) =>
        Assert.Throws<ArgumentException>(() => _store.PathOf(meetingId, fileId));

    /// <summary>Where a sealed object's wrapped key lies: after "CNSL", the version, the 7-byte prefix and its 2-byte length.</summary>
    private static (int At, int Length) WrappedKeyRegion(byte[] sealedBytes) => (14, (sealedBytes[12] << 8) | sealedBytes[13]);

    /// <summary>A body whose connection fails after <c>failAfter</c> bytes, as Kestrel's does when the browser goes away.</summary>
    private sealed class FailingAfter(byte[] content, int failAfter) : Stream
    {
        private readonly MemoryStream _content = new(content);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _content.Position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_content.Position >= failAfter) throw new IOException("connection reset");
            return _content.Read(buffer, offset, (int)Math.Min(count, failAfter - _content.Position));
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
