using Conclave.Crypto.Envelopes;
using Conclave.Meetings.SharedFiles;
using Conclave.Web.Attendees;
using Conclave.Web.MeetingPage;
using Conclave.Web.Signalling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Conclave.Web.SharedFiles;

/// <summary>
/// /m/{meeting}/files: files shared in a meeting (docs/content-sharing.md), to participants in its
/// room (<see cref="RoomParticipantRequest"/>). The appliance takes and gives back the browser's
/// ciphertext; it sees only sizes and times. Every refusal is JSON: <c>{"error":code,"message":…}</c>.
/// </summary>
internal static partial class SharedFileEndpoints
{
    private const string OctetStream = "application/octet-stream";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/m/{meeting}/files", UploadAsync);
        app.MapGet("/m/{meeting}/files/{fileId}", DownloadAsync);
        app.MapDelete("/m/{meeting}/files/{fileId}", Delete);
    }

    private static async Task<IResult> UploadAsync(HttpContext http, string meeting, RoomDirectory directory, AttendeeResolver attendees,
        SharedFileService files, SharedFileStore store, ILoggerFactory loggers)
    {
        if (RoomParticipantRequest.Authenticate(http, meeting, directory, attendees) is not { } who) return NotInRoom();
        if (http.Request.ContentLength is not { } bytes)
        {
            return Error(StatusCodes.Status411LengthRequired, "length-required", "an upload declares its length (Content-Length); a chunked body is not taken");
        }
        if (http.Request.ContentType is { Length: > 0 } type && !type.Equals(OctetStream, StringComparison.OrdinalIgnoreCase))
        {
            return Error(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", $"the body is the file's ciphertext, {OctetStream}");
        }
        switch (files.Reserve(who.Attendee, who.Participant.ParticipantId, meeting, bytes, out var file))
        {
            case SharedFileReservation.FileTooLarge:
                return Error(StatusCodes.Status413PayloadTooLarge, "file-too-large", $"a file may be at most {files.Limits.MaxFileBytes} bytes");
            case SharedFileReservation.MeetingBytesFull:
                return Error(StatusCodes.Status413PayloadTooLarge, "meeting-files-full", $"this meeting's files may hold at most {files.Limits.MaxMeetingBytes} bytes; delete some first");
            case SharedFileReservation.MeetingCountFull:
                return Error(StatusCodes.Status413PayloadTooLarge, "meeting-files-full", $"this meeting may hold at most {files.Limits.MaxFilesPerMeeting} files; delete some first");
        }
        // Kestrel's own limit (30 MB by default) would refuse a large file; the store reads exactly
        // the declared length, and the sealing reads synchronously on a thread of its own.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = bytes;
        if (http.Features.Get<IHttpBodyControlFeature>() is { } control) control.AllowSynchronousIO = true;
        try
        {
            await store.WriteAsync(meeting, file!.FileId, http.Request.Body, bytes);
        }
        catch (IncompleteUploadException e)
        {
            files.Abandoned(file!);
            return Error(StatusCodes.Status400BadRequest, "upload-incomplete", e.Message);
        }
        catch (IOException e)
        {
            files.Abandoned(file!);
            LogStoreFailed(loggers.CreateLogger(typeof(SharedFileEndpoints)), file!.FileId, e.Message);
            return Error(StatusCodes.Status507InsufficientStorage, "not-stored", "the appliance could not store the file (its disk is full or unwritable)");
        }
        files.Stored(who.Attendee, file!);
        // The uploader may have left while uploading: then the room emptied without this file in its count.
        if (directory.ParticipantCount(meeting) == 0) files.RoomEmptied(meeting);
        return Results.Json(new UploadedFile(file!.FileId, bytes), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> DownloadAsync(HttpContext http, string meeting, string fileId, RoomDirectory directory, AttendeeResolver attendees,
        SharedFileService files, SharedFileStore store, ILoggerFactory loggers)
    {
        if (RoomParticipantRequest.Authenticate(http, meeting, directory, attendees) is null) return NotInRoom();
        if (!SharedFileStore.IsFileId(fileId) || files.Find(meeting, fileId) is null) return NoSuchFile();
        http.Response.ContentType = OctetStream;
        http.Response.Headers.CacheControl = "no-store";
        if (http.Features.Get<IHttpBodyControlFeature>() is { } control) control.AllowSynchronousIO = true;
        try
        {
            await store.OpenAsync(meeting, fileId, http.Response.Body);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException && !http.Response.HasStarted)
        {
            // Shredded between the index and the disk.
            return NoSuchFile();
        }
        catch (SealedDataException e)
        {
            // Part may be sent already: the connection is cut, so the browser cannot take a prefix for the file.
            LogCorrupt(loggers.CreateLogger(typeof(SharedFileEndpoints)), fileId, e.Message);
            http.Abort();
        }
        return Results.Empty;
    }

    private static IResult Delete(HttpContext http, string meeting, string fileId, RoomDirectory directory, AttendeeResolver attendees,
        SharedFileService files, SharedFileStore store)
    {
        if (RoomParticipantRequest.Authenticate(http, meeting, directory, attendees) is not { } who) return NotInRoom();
        if (!SharedFileStore.IsFileId(fileId) || files.Find(meeting, fileId) is not { } file) return NoSuchFile();
        if (!files.MayDelete(who.Attendee, file))
        {
            return Error(StatusCodes.Status403Forbidden, "not-yours", "only the file's uploader or the meeting's host may delete it");
        }
        store.Shred(meeting, fileId);
        files.Deleted(who.Attendee, file);
        return Results.NoContent();
    }

    private static IResult NotInRoom() =>
        Error(StatusCodes.Status401Unauthorized, "not-in-meeting", "send the group token from joined and the cookie of a participant in this meeting now");

    private static IResult NoSuchFile() => Error(StatusCodes.Status404NotFound, "no-such-file", "no such file in this meeting");

    private static IResult Error(int status, string code, string message) => Results.Json(new FileError(code, message), statusCode: status);

    private sealed record UploadedFile(string FileId, long Bytes);

    private sealed record FileError(string Error, string Message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shared file {FileId} could not be stored: {Reason}")]
    private static partial void LogStoreFailed(ILogger logger, string fileId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shared file {FileId} does not open: {Reason}")]
    private static partial void LogCorrupt(ILogger logger, string fileId, string reason);
}
