namespace Conclave.Recording.Tests;

public sealed class RecordingFormatTests
{
    [Fact]
    public void The_first_format_is_version_one() => Assert.Equal(1, RecordingFormat.Version);
}
