using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Conclave.Testing;

/// <summary>Runs Debian's ffmpeg and ffprobe from PATH (the project setup installs them for the tests only).</summary>
public static class Ffmpeg
{
    public sealed record Output(int ExitCode, byte[] StandardOutput, string StandardError)
    {
        public string Text => System.Text.Encoding.UTF8.GetString(StandardOutput);

        public Output EnsureSuccess() => ExitCode == 0 ? this : throw new InvalidOperationException($"exit {ExitCode}: {StandardError}");
    }

    public static Output Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var standardError = process.StandardError.ReadToEndAsync();
        using var standardOutput = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(standardOutput);
        process.WaitForExit();
        return new Output(process.ExitCode, standardOutput.ToArray(), standardError.Result);
    }

    /// <summary>What ffprobe decodes of each stream: codec, size, sample rate and the frames it read.</summary>
    public static List<ProbedStream> Probe(string file)
    {
        var output = Run("ffprobe", "-v", "error", "-count_frames", "-show_entries", "stream=codec_name,width,height,nb_read_frames,sample_rate,channels", "-of", "json", file).EnsureSuccess();
        using var json = JsonDocument.Parse(output.StandardOutput);
        var streams = new List<ProbedStream>();
        foreach (var stream in json.RootElement.GetProperty("streams").EnumerateArray())
        {
            streams.Add(new ProbedStream(
                stream.GetProperty("codec_name").GetString()!,
                stream.TryGetProperty("width", out var width) ? width.GetInt32() : null,
                stream.TryGetProperty("height", out var height) ? height.GetInt32() : null,
                stream.TryGetProperty("sample_rate", out var rate) ? int.Parse(rate.GetString()!, CultureInfo.InvariantCulture) : null,
                int.Parse(stream.GetProperty("nb_read_frames").GetString()!, CultureInfo.InvariantCulture)));
        }
        return streams;
    }

    /// <summary>Every packet's stream type ("video", "audio") and presentation time in seconds, in file order.</summary>
    public static List<(string Type, double Seconds)> PacketTimes(string file)
    {
        var output = Run("ffprobe", "-v", "error", "-show_entries", "packet=codec_type,pts_time", "-of", "json", file).EnsureSuccess();
        using var json = JsonDocument.Parse(output.StandardOutput);
        return json.RootElement.GetProperty("packets").EnumerateArray()
            .Select(packet => (packet.GetProperty("codec_type").GetString()!, double.Parse(packet.GetProperty("pts_time").GetString()!, CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>The presentation time of each stream's first packet, in seconds.</summary>
    public static Dictionary<string, double> FirstPacketTimes(string file)
    {
        var first = new Dictionary<string, double>();
        foreach (var (type, seconds) in PacketTimes(file)) first.TryAdd(type, seconds);
        return first;
    }

    /// <summary>
    /// Decodes every frame and fails on the first error (<c>-xerror</c>). Frames pass through
    /// with the file's own times (<c>-fps_mode passthrough</c>, the input's 1 ms time base): by
    /// default ffmpeg re-times video to a constant rate, and two frames a camera captured less
    /// than a frame interval apart then collide on one tick and fail as a repeated dts, though
    /// the file is sound.
    /// </summary>
    public static Output DecodeAll(string file) =>
        Run("ffmpeg", "-v", "error", "-xerror", "-i", file, "-fps_mode", "passthrough", "-enc_time_base", "-1", "-f", "null", "-");

    /// <summary>Every video frame scaled to <paramref name="width"/>×<paramref name="height"/>, 8-bit luma only, one array per frame.</summary>
    public static List<byte[]> LumaFrames(string file, int width, int height)
    {
        var output = Run("ffmpeg", "-v", "error", "-i", file, "-an", "-vf", $"scale={width}:{height}", "-pix_fmt", "gray", "-f", "rawvideo", "-").EnsureSuccess();
        int frameBytes = width * height;
        var frames = new List<byte[]>();
        for (int offset = 0; offset + frameBytes <= output.StandardOutput.Length; offset += frameBytes) frames.Add(output.StandardOutput[offset..(offset + frameBytes)]);
        return frames;
    }

    /// <summary>The audio decoded to mono 16-bit PCM at <paramref name="sampleRate"/>.</summary>
    public static short[] MonoPcm(string file, int sampleRate)
    {
        var output = Run("ffmpeg", "-v", "error", "-i", file, "-vn", "-ac", "1", "-ar", sampleRate.ToString(CultureInfo.InvariantCulture), "-f", "s16le", "-").EnsureSuccess();
        var samples = new short[output.StandardOutput.Length / 2];
        Buffer.BlockCopy(output.StandardOutput, 0, samples, 0, samples.Length * 2);
        return samples;
    }
}

public sealed record ProbedStream(string CodecName, int? Width, int? Height, int? SampleRate, int FramesRead);
