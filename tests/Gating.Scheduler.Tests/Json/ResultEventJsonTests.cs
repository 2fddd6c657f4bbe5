using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Gating.Model;
using Gating.Model.Events;
using Gating.Model.Json;

namespace Gating.Scheduler.Tests.Json;

public sealed class ResultEventJsonTests
{
    private static VarMap Data() => new([
        new("zuul", new VarMap([new("child_jobs", new VarList([new VarScalar("a"), new VarScalar("b")]))])),
        new("count", new VarScalar("3", VarScalarKind.Int)),
        new("ratio", new VarScalar("0.5", VarScalarKind.Float)),
        new("ok", new VarScalar("true", VarScalarKind.Bool)),
        new("none", VarScalar.Null),
        new("text", new VarScalar("3")),
    ]);

    [Fact]
    public void Build_completed_round_trips_with_typed_variables()
    {
        var evt = new BuildCompletedEvent("b1", "SUCCESS", Data(), Url: "http://logs/b1") { EventId = "e1" };
        var back = (BuildCompletedEvent)ResultEventJson.Deserialize(ResultEventJson.Serialize(evt));
        Assert.Equal("b1", back.BuildId);
        Assert.Equal("SUCCESS", back.Result);
        Assert.Equal("http://logs/b1", back.Url);
        Assert.Equal("e1", back.EventId);
        Assert.Equal(Data(), back.Data);
    }

    [Fact]
    public void Variables_are_plain_json_as_ansible_sees_them()
    {
        var json = Encoding.UTF8.GetString(ResultEventJson.Serialize(new BuildPausedEvent("b2", Data())));
        Assert.Contains("\"type\":\"build-paused\"", json, StringComparison.Ordinal);
        Assert.Contains("\"count\":3,\"ratio\":0.5,\"ok\":true,\"none\":null,\"text\":\"3\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_result_event_round_trips()
    {
        PipelineEvent[] events =
        [
            new BuildStartedEvent("b", "u"),
            new BuildCompletedEvent("b", null, ErrorDetail: "pre-run failed"),
            new MergeCompletedEvent("bs", ImmutableDictionary<string, string>.Empty.Add("org/p", "abc")),
            new MergeConflictEvent("bs"),
            new NodesProvisionedEvent("r", ["n1", "n2"]),
            new NodesFailedEvent("r"),
            new SubmitCompletedEvent("i", false, "not mergeable"),
            new SemaphoreReleasedEvent("s"),
            new MergeJobCompletedEvent("m", Gating.Model.Requests.MergeJobType.FilesChanges, "bs"),
        ];
        foreach (var evt in events)
        {
            var back = ResultEventJson.Deserialize(ResultEventJson.Serialize(evt));
            Assert.Equal(evt.GetType(), back.GetType());
            Assert.Equal(JsonSerializer.Serialize(evt, evt.GetType(), ResultEventJson.Options), JsonSerializer.Serialize(back, back.GetType(), ResultEventJson.Options));
        }
    }

    [Fact]
    public void Unknown_or_malformed_envelopes_are_refused()
    {
        Assert.Throws<JsonException>(() => ResultEventJson.Deserialize("{\"type\":\"nope\",\"event\":{}}"u8));
        Assert.Throws<JsonException>(() => ResultEventJson.Deserialize("[1]"u8));
        Assert.Throws<JsonException>(() => ResultEventJson.Deserialize("{\"event\":{}}"u8));
        Assert.Throws<ArgumentException>(() => ResultEventJson.Serialize(new DequeueEvent(new ChangeRevision(new ChangeKey("g", "p", "1"), "1"))));
    }
}
