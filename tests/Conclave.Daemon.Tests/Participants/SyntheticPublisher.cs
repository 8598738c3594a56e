using Conclave.Media.Sdp;

namespace Conclave.Daemon.Tests.Participants;

/// <summary>
/// A well-behaved camera and microphone: VP8-like video at 30 frames/s, one 1,000-byte
/// packet per frame with the marker bit set (RFC 7741 §4.1: last packet of a frame) and
/// a 90 kHz clock, and Opus-like audio at 50 packets/s (20 ms at 48 kHz, RFC 7587 §4.1).
/// A picture loss indication makes the next frame a key frame (RFC 4585 §6.3.1).
/// </summary>
internal sealed class SyntheticPublisher(ScriptedParticipant participant, uint? audioSsrc, uint? videoSsrc)
{
    public const int VideoFramesPerSecond = 30;
    public const int VideoPayloadBytes = 1_000;
    public const int AudioPacketsPerSecond = 50;
    public const int AudioPayloadBytes = 80;

    private const uint VideoClockHz = 90_000;
    private const uint AudioClockHz = 48_000;

    private readonly CancellationTokenSource _stop = new();
    private Task? _running;

    public void Start() => _running = Task.Run(RunAsync);

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null) await _running;
    }

    private async Task RunAsync()
    {
        var video = new byte[VideoPayloadBytes];
        var audio = new byte[AudioPayloadBytes];
        ushort videoSequence = (ushort)Random.Shared.Next(ushort.MaxValue), audioSequence = (ushort)Random.Shared.Next(ushort.MaxValue);
        uint videoTimestamp = (uint)Random.Shared.NextInt64(uint.MaxValue), audioTimestamp = (uint)Random.Shared.NextInt64(uint.MaxValue);
        long startMs = Environment.TickCount64;
        long videoFrames = 0, audioPackets = 0;
        long keyFrameRequests = -1;
        while (!_stop.IsCancellationRequested)
        {
            long elapsedMs = Environment.TickCount64 - startMs;
            while (videoSsrc is uint v && videoFrames * 1000 / VideoFramesPerSecond <= elapsedMs)
            {
                long requests = participant.Received.PictureLossIndications;
                SyntheticPayload.WriteVideo(video, participant.OriginTag, keyFrame: requests != keyFrameRequests);
                keyFrameRequests = requests;
                participant.SendRtp(SdpCodecs.Vp8PayloadType, v, videoSequence++, videoTimestamp, video, marker: true);
                videoTimestamp += VideoClockHz / VideoFramesPerSecond;
                videoFrames++;
            }
            while (audioSsrc is uint a && audioPackets * 1000 / AudioPacketsPerSecond <= elapsedMs)
            {
                SyntheticPayload.WriteAudio(audio, participant.OriginTag);
                participant.SendRtp(SdpCodecs.OpusPayloadType, a, audioSequence++, audioTimestamp, audio, marker: false);
                audioTimestamp += AudioClockHz / AudioPacketsPerSecond;
                audioPackets++;
            }
            try
            {
                await Task.Delay(5, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
