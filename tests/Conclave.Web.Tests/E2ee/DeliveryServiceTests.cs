using System.Text.Json;
using Conclave.Web.E2ee;
using Conclave.Web.Signalling;
using Microsoft.Extensions.Time.Testing;

namespace Conclave.Web.Tests.E2ee;

/// <summary>The Delivery Service's rules (docs/signalling.md, "Delivery Service") on a fake clock, without sockets.</summary>
public sealed class DeliveryServiceTests : IDisposable
{
    private const string Room = "weekly";
    private static readonly byte[] GroupInfoBytes = [1, 2, 3];

    private readonly FakeTimeProvider _time = new();
    private readonly RecordingMedia _media = new();
    private readonly DeliveryService _delivery;
    private readonly Dictionary<string, RecordingRecipient> _participants = new(StringComparer.Ordinal);

    public DeliveryServiceTests() => _delivery = new DeliveryService(Room, _media, _time);

    public void Dispose() => _delivery.Dispose();

    [Fact]
    public void The_first_participant_is_told_to_create_the_group_with_a_random_16_byte_id_and_the_room_is_at_epoch_0()
    {
        Enter("a");

        var create = Single("a", "mls-create");
        Assert.Equal(16, Convert.FromBase64String(create.GetProperty("groupId").GetString()!).Length);
        Assert.Equal([(Room, 0UL)], _media.Epochs);
    }

    [Fact]
    public void The_media_plane_is_told_of_each_epoch_before_any_member_hears_of_it()
    {
        // A member seals media under an epoch as soon as it hears of it; the SFU must know it first.
        var heardBefore = new List<(ulong Epoch, int Messages)>();
        _media.OnSetRoomEpoch = epoch => heardBefore.Add((epoch, _participants.Values.Sum(p => p.Count)));

        Enter("a");
        Assert.Equal(GroupInfoUpload.Stored, _delivery.PutGroupInfo("a", 0, GroupInfoBytes));
        Enter("b");
        TakeAll();
        _delivery.Commit("b", 0, "am9pbg==", []);

        Assert.Equal([(0UL, 0), (1UL, 0)], heardBefore);
        Assert.Single(Take("a"), m => Type(m) == "mls-commit");
    }

    [Fact]
    public void Others_wait_for_the_founders_group_info_and_are_then_all_told_to_join_at_epoch_0()
    {
        Enter("a");
        Enter("b");
        Enter("c");
        Assert.Empty(Take("b"));
        Assert.Empty(Take("c"));
        Take("a");

        Assert.Equal(GroupInfoUpload.Stored, _delivery.PutGroupInfo("a", 0, GroupInfoBytes));

        Assert.Equal(0UL, Single("b", "mls-join").GetProperty("epoch").GetUInt64());
        Assert.Equal(0UL, Single("c", "mls-join").GetProperty("epoch").GetUInt64());
        Assert.Empty(Take("a"));
        Assert.Equal(0UL, _delivery.CurrentGroupInfo()!.Epoch);
        Assert.Equal(GroupInfoBytes, _delivery.CurrentGroupInfo()!.Bytes);
    }

    [Fact]
    public void Someone_entering_a_group_whose_group_info_is_stored_is_told_to_join_at_once()
    {
        Founded("a");

        Enter("b");

        Assert.Equal(0UL, Single("b", "mls-join").GetProperty("epoch").GetUInt64());
    }

    [Fact]
    public void Only_the_founder_may_put_epoch_0_once_and_no_other_epoch()
    {
        Enter("a");
        Enter("b");

        Assert.Equal(GroupInfoUpload.NotAsked, _delivery.PutGroupInfo("b", 0, GroupInfoBytes));
        Assert.Equal(GroupInfoUpload.NotCurrent, _delivery.PutGroupInfo("a", 1, GroupInfoBytes));
        Assert.Null(_delivery.CurrentGroupInfo());
        Assert.Equal(GroupInfoUpload.Stored, _delivery.PutGroupInfo("a", 0, GroupInfoBytes));
        Assert.Equal(GroupInfoUpload.NotCurrent, _delivery.PutGroupInfo("a", 0, [9]));
        Assert.Equal(GroupInfoBytes, _delivery.CurrentGroupInfo()!.Bytes);
    }

    [Fact]
    public void A_founder_who_leaves_before_publishing_is_replaced_by_the_next_participant_waiting_with_a_new_group_id()
    {
        Enter("a");
        Enter("b");
        Enter("c");
        string firstGroup = Single("a", "mls-create").GetProperty("groupId").GetString()!;

        _delivery.Leave("a");

        Assert.NotEqual(firstGroup, Single("b", "mls-create").GetProperty("groupId").GetString());
        Assert.Empty(Take("c"));
        Assert.Equal(GroupInfoUpload.NotAsked, _delivery.PutGroupInfo("c", 0, GroupInfoBytes));
        Assert.Equal(GroupInfoUpload.Stored, _delivery.PutGroupInfo("b", 0, GroupInfoBytes));
        Assert.Equal(0UL, Single("c", "mls-join").GetProperty("epoch").GetUInt64());
    }

    [Fact]
    public void The_first_commit_for_the_current_epoch_is_broadcast_to_everyone_and_a_later_one_for_that_epoch_is_stale()
    {
        Founded("a");
        Enter("b");
        Enter("c");
        TakeAll();

        _delivery.Commit("b", 0, "Y29tbWl0LWI=", []);
        _delivery.Commit("c", 0, "Y29tbWl0LWM=", []);

        var received = new[] { "a", "b", "c" }.ToDictionary(who => who, Take);
        Assert.Equal(["mls-commit"], received["a"].Select(Type));
        Assert.Equal(["mls-commit"], received["b"].Select(Type));
        Assert.Equal(["mls-commit", "mls-stale"], received["c"].Select(Type));
        foreach (var messages in received.Values)
        {
            Assert.Equal(0UL, messages[0].GetProperty("epoch").GetUInt64());
            Assert.Equal("Y29tbWl0LWI=", messages[0].GetProperty("commit").GetString());
            Assert.Equal("b", messages[0].GetProperty("participantId").GetString());
        }
        Assert.Equal(1UL, received["c"][1].GetProperty("epoch").GetUInt64());
        Assert.Equal([(Room, 0UL), (Room, 1UL)], _media.Epochs);
    }

    [Fact]
    public void Commits_are_broadcast_in_the_order_accepted_each_for_the_epoch_after_the_last()
    {
        Founded("a");
        Joined("b", 0);
        TakeAll();

        _delivery.Commit("a", 1, "b25l", []);
        _delivery.Commit("b", 1, "bG9zdA==", []);
        _delivery.Commit("b", 2, "dHdv", []);

        var commits = Take("a").Where(m => Type(m) == "mls-commit").Select(m => (m.GetProperty("epoch").GetUInt64(), m.GetProperty("commit").GetString())).ToList();
        Assert.Equal([(1UL, "b25l"), (2UL, "dHdv")], commits);
        Assert.Equal([(Room, 0UL), (Room, 1UL), (Room, 2UL), (Room, 3UL)], _media.Epochs);
    }

    [Fact]
    public void A_joiner_whose_commit_lost_is_told_to_join_again_as_soon_as_the_new_group_info_is_stored()
    {
        Founded("a");
        Enter("b");
        Enter("c");
        _delivery.Commit("b", 0, "Yg==", []);
        _delivery.Commit("c", 0, "Yw==", []);
        TakeAll();

        Assert.Equal(GroupInfoUpload.Stored, _delivery.PutGroupInfo("b", 1, GroupInfoBytes));

        Assert.Equal(1UL, Single("c", "mls-join").GetProperty("epoch").GetUInt64());
        Assert.Empty(Take("a"));
        Assert.Empty(Take("b"));
    }

    [Fact]
    public void A_joiner_whose_commit_lost_after_the_new_group_info_was_stored_is_told_stale_then_to_join_at_once()
    {
        Founded("a");
        Enter("b");
        Enter("c");
        _delivery.Commit("b", 0, "Yg==", []);
        _delivery.PutGroupInfo("b", 1, GroupInfoBytes);
        TakeAll();

        _delivery.Commit("c", 0, "Yw==", []);

        Assert.Equal(["mls-stale", "mls-join"], Take("c").Select(Type));
    }

    [Fact]
    public void A_committer_who_does_not_publish_in_2_seconds_is_followed_by_mls_publish_to_the_lowest_leaf_then_the_next()
    {
        Founded("a");
        Joined("b", 0);
        Joined("c", 1);
        _delivery.Commit("c", 2, "Yw==", []);
        TakeAll();

        _time.Advance(DeliveryService.GroupInfoWait - TimeSpan.FromMilliseconds(1));
        Assert.Empty(Take("a"));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(3UL, Single("a", "mls-publish").GetProperty("epoch").GetUInt64());
        Assert.Empty(Take("b"));

        _time.Advance(DeliveryService.GroupInfoWait);
        Assert.Equal(3UL, Single("b", "mls-publish").GetProperty("epoch").GetUInt64());

        Assert.Equal(GroupInfoUpload.Stored, _delivery.PutGroupInfo("a", 3, GroupInfoBytes));
        _time.Advance(DeliveryService.GroupInfoWait * 3);
        Assert.Empty(TakeAll());
    }

    [Fact]
    public void Only_the_committer_or_a_member_sent_mls_publish_may_put_the_new_epochs_group_info()
    {
        Founded("a");
        Joined("b", 0);
        Joined("c", 1);
        _delivery.Commit("c", 2, "Yw==", []);

        Assert.Equal(GroupInfoUpload.NotAsked, _delivery.PutGroupInfo("a", 3, GroupInfoBytes));
        Assert.Equal(GroupInfoUpload.NotCurrent, _delivery.PutGroupInfo("c", 2, GroupInfoBytes));
        _time.Advance(DeliveryService.GroupInfoWait);
        Assert.Equal(GroupInfoUpload.NotAsked, _delivery.PutGroupInfo("b", 3, GroupInfoBytes));
        Assert.Equal(GroupInfoUpload.Stored, _delivery.PutGroupInfo("a", 3, GroupInfoBytes));
    }

    [Fact]
    public void A_leaving_member_is_removed_by_the_lowest_leaf_then_the_next_each_second_until_a_commit_lists_its_leaf()
    {
        Founded("a");
        Joined("b", 0);
        Joined("c", 1);
        TakeAll();

        _delivery.Leave("b");

        var remove = Single("a", "mls-remove");
        Assert.Equal(2UL, remove.GetProperty("epoch").GetUInt64());
        Assert.Equal(1u, remove.GetProperty("leaf").GetUInt32());
        Assert.Equal("b", remove.GetProperty("participantId").GetString());
        Assert.Empty(Take("c"));

        _time.Advance(DeliveryService.RemovalWait);
        Assert.Equal(1u, Single("c", "mls-remove").GetProperty("leaf").GetUInt32());
        _time.Advance(DeliveryService.RemovalWait);
        Assert.Equal(1u, Single("a", "mls-remove").GetProperty("leaf").GetUInt32());

        _delivery.Commit("a", 2, "cmVtb3Zl", [1]);
        _delivery.PutGroupInfo("a", 3, GroupInfoBytes);
        TakeAll();
        _time.Advance(DeliveryService.RemovalWait * 5);
        Assert.Empty(TakeAll());
    }

    [Fact]
    public void A_commit_that_does_not_list_the_departed_leaf_leaves_its_removal_pending()
    {
        Founded("a");
        Joined("b", 0);
        Joined("c", 1);
        _delivery.Leave("c");
        TakeAll();

        _delivery.Commit("a", 2, "dXBkYXRl", []);
        _delivery.PutGroupInfo("a", 3, GroupInfoBytes);
        _time.Advance(DeliveryService.RemovalWait);

        var remove = Single("b", "mls-remove");
        Assert.Equal(3UL, remove.GetProperty("epoch").GetUInt64());
        Assert.Equal(2u, remove.GetProperty("leaf").GetUInt32());
    }

    [Fact]
    public void A_member_asked_to_remove_who_leaves_too_hands_both_removals_to_the_next_member_at_once()
    {
        Founded("a");
        Joined("b", 0);
        Joined("c", 1);
        _delivery.Leave("c");
        TakeAll();

        _delivery.Leave("a");

        Assert.Equal([0u, 2u], Take("b").Where(m => Type(m) == "mls-remove").Select(m => m.GetProperty("leaf").GetUInt32()).Order());
    }

    [Fact]
    public void When_the_last_member_leaves_the_group_is_forgotten_and_a_waiting_participant_founds_a_new_one()
    {
        Founded("a");
        Enter("b");
        TakeAll();

        _delivery.Leave("a");

        Assert.Null(_delivery.CurrentGroupInfo());
        Single("b", "mls-create");
        Assert.Equal(GroupInfoUpload.Stored, _delivery.PutGroupInfo("b", 0, GroupInfoBytes));
        _time.Advance(DeliveryService.RemovalWait * 3);
        Assert.Empty(TakeAll());
    }

    [Fact]
    public void A_commit_while_no_group_exists_is_ignored()
    {
        Enter("a");
        Enter("b");
        TakeAll();

        _delivery.Commit("b", 0, "Yg==", []);

        Assert.Empty(TakeAll());
        Assert.Equal([(Room, 0UL)], _media.Epochs);
    }

    [Fact]
    public void Key_frames_are_requested_250_ms_after_an_external_join_and_not_after_a_members_commit()
    {
        Founded("a");
        Enter("b");
        _delivery.Commit("b", 0, "Yg==", []);

        _time.Advance(DeliveryService.KeyFrameDelay - TimeSpan.FromMilliseconds(1));
        Assert.Empty(_media.KeyFrameRequests);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([Room], _media.KeyFrameRequests);

        _delivery.PutGroupInfo("b", 1, GroupInfoBytes);
        _delivery.Commit("a", 1, "YQ==", []);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([Room], _media.KeyFrameRequests);
    }

    [Fact]
    public void A_joiner_takes_the_leftmost_free_leaf_until_it_says_otherwise()
    {
        Founded("a");
        Joined("b", 0);
        Joined("c", 1);
        _delivery.Commit("a", 2, "cmVtb3ZlIGI=", [1]); // b's leaf 1 is now blank
        _delivery.PutGroupInfo("a", 3, GroupInfoBytes);
        Enter("d");
        _delivery.Commit("d", 3, "ZA==", []);
        _delivery.PutGroupInfo("d", 4, GroupInfoBytes);
        TakeAll();

        _delivery.Leave("d");
        Assert.Equal(1u, Single("a", "mls-remove").GetProperty("leaf").GetUInt32());
    }

    [Fact]
    public void Mls_joined_names_the_leaf_used_for_removal_and_a_claim_to_a_taken_leaf_is_ignored()
    {
        Founded("a");
        Enter("b");
        _delivery.Commit("b", 0, "Yg==", []);
        _delivery.PutGroupInfo("b", 1, GroupInfoBytes);
        Enter("c");
        _delivery.Commit("c", 1, "Yw==", []);
        _delivery.PutGroupInfo("c", 2, GroupInfoBytes);

        _delivery.Joined("b", 1, 5);
        _delivery.Joined("c", 2, 5);
        TakeAll();

        _delivery.Leave("b");
        Assert.Equal(5u, Single("a", "mls-remove").GetProperty("leaf").GetUInt32());
        _delivery.Leave("c");
        Assert.Equal(2u, Single("a", "mls-remove", Take("a")).GetProperty("leaf").GetUInt32());
    }

    [Fact]
    public void A_present_member_removed_by_a_commit_waits_to_join_again_and_is_told_when_the_group_info_is_stored()
    {
        Founded("a");
        Joined("b", 0);
        TakeAll();

        _delivery.Commit("a", 1, "cmVtb3ZlIGI=", [1]);
        _delivery.PutGroupInfo("a", 2, GroupInfoBytes);

        Assert.Equal(2UL, Single("b", "mls-join", Take("b").Where(m => Type(m) != "mls-commit").ToList()).GetProperty("epoch").GetUInt64());
    }

    [Fact]
    public void Data_is_relayed_to_everyone_else_in_the_room_and_not_back_to_its_sender()
    {
        Founded("a");
        Enter("b");
        Enter("c");
        TakeAll();

        _delivery.Relay("b", new ServerMessage.Data(0, DataKind.Chat, "c2VhbGVk", "b"));

        Assert.Empty(Take("b"));
        foreach (string who in new[] { "a", "c" })
        {
            var data = Single(who, "data");
            Assert.Equal("c2VhbGVk", data.GetProperty("ct").GetString());
            Assert.Equal("b", data.GetProperty("participantId").GetString());
        }
    }

    [Fact]
    public void A_group_token_names_its_participant_until_they_leave_and_no_other_token_does()
    {
        Enter("a");
        Enter("b");

        Assert.Equal(new DeliveryParticipant("b", "account:b"), _delivery.Authenticate(GroupTokens.Sha256("token-b")));
        Assert.Null(_delivery.Authenticate(GroupTokens.Sha256("token-x")));
        _delivery.Leave("b");
        Assert.Null(_delivery.Authenticate(GroupTokens.Sha256("token-b")));
    }

    [Fact]
    public void Concurrent_commits_for_one_epoch_have_exactly_one_winner()
    {
        Founded("a");
        for (int i = 0; i < 8; i++) Enter($"j{i}");
        TakeAll();

        Parallel.For(0, 8, i => _delivery.Commit($"j{i}", 0, "ag==", []));

        var commits = Take("a").Where(m => Type(m) == "mls-commit").ToList();
        Assert.Single(commits);
        string winner = commits[0].GetProperty("participantId").GetString()!;
        for (int i = 0; i < 8; i++)
        {
            var types = Take($"j{i}").Select(Type).ToList();
            Assert.Equal($"j{i}" == winner ? ["mls-commit"] : ["mls-commit", "mls-stale"], types);
        }
    }

    private void Enter(string participantId)
    {
        var recipient = new RecordingRecipient();
        _participants[participantId] = recipient;
        _delivery.Enter(participantId, $"account:{participantId}", GroupTokens.Sha256($"token-{participantId}"), recipient);
    }

    /// <summary>A group at epoch 0 founded by <paramref name="founder"/> (leaf 0), its GroupInfo stored.</summary>
    private void Founded(string founder)
    {
        Enter(founder);
        Assert.Equal(GroupInfoUpload.Stored, _delivery.PutGroupInfo(founder, 0, GroupInfoBytes));
    }

    /// <summary>Enters and joins by an external commit at <paramref name="epoch"/>, then publishes the next epoch's GroupInfo.</summary>
    private void Joined(string participantId, ulong epoch)
    {
        Enter(participantId);
        _delivery.Commit(participantId, epoch, "am9pbg==", []);
        Assert.Equal(GroupInfoUpload.Stored, _delivery.PutGroupInfo(participantId, epoch + 1, GroupInfoBytes));
    }

    private List<JsonElement> Take(string participantId) => _participants[participantId].Take();

    private List<JsonElement> TakeAll() => _participants.Values.SelectMany(p => p.Take()).ToList();

    private JsonElement Single(string participantId, string type, List<JsonElement>? messages = null)
    {
        messages ??= Take(participantId);
        return Assert.Single(messages, m => Type(m) == type);
    }

    private static string Type(JsonElement message) => message.GetProperty("type").GetString()!;

    private sealed class RecordingRecipient : IDeliveryRecipient
    {
        private readonly List<JsonElement> _messages = [];

        public void Send(byte[] utf8Json)
        {
            lock (_messages) _messages.Add(JsonDocument.Parse(utf8Json).RootElement.Clone());
        }

        public int Count
        {
            get
            {
                lock (_messages) return _messages.Count;
            }
        }

        public List<JsonElement> Take()
        {
            lock (_messages)
            {
                var taken = _messages.ToList();
                _messages.Clear();
                return taken;
            }
        }
    }

    private sealed class RecordingMedia : IRoomMediaControl
    {
        public List<string> KeyFrameRequests { get; } = [];
        public List<(string, ulong)> Epochs { get; } = [];

        public void RequestKeyFrames(string roomId) => KeyFrameRequests.Add(roomId);

        /// <summary>Sees each epoch as it is set, before the call returns.</summary>
        public Action<ulong>? OnSetRoomEpoch { get; set; }

        public void SetRoomEpoch(string roomId, ulong epoch)
        {
            OnSetRoomEpoch?.Invoke(epoch);
            Epochs.Add((roomId, epoch));
        }
    }
}
