namespace Gating.Testing.Scenarios;

/// <summary>The scenario's change names and the cluster's change numbers, both ways.</summary>
public sealed class ScenarioNames
{
    private readonly Dictionary<string, int> _numbers = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _names = [];
    private readonly Dictionary<string, int> _predicted = new(StringComparer.Ordinal);

    /// <summary>Records the number a change will get (so a Depends-On may name it before it exists).</summary>
    public void Predict(string name, int number) => _predicted[name] = number;

    /// <summary>Records the number the cluster gave a change.</summary>
    public void Created(string name, int number)
    {
        if (_predicted.TryGetValue(name, out int expected) && expected != number)
        {
            // A Depends-On footer may already carry the predicted number: going on would test something else.
            throw new InvalidOperationException(
                $"the cluster numbered change '{name}' {number}, not {expected}: change numbers must start at 1 and follow creation order");
        }
        _numbers[name] = number;
        _names[number] = name;
    }

    /// <summary>The number of a named change (created, or predicted for one declared later).</summary>
    public int Number(string name) =>
        _numbers.TryGetValue(name, out int n) ? n
        : _predicted.TryGetValue(name, out int p) ? p
        : throw new InvalidOperationException($"change '{name}' does not exist yet");

    /// <summary>The name of a change number ("#7" for a change the scenario did not create).</summary>
    public string Name(int number) => _names.TryGetValue(number, out var name) ? name : "#" + number;

    /// <summary>All names in creation order.</summary>
    public IEnumerable<string> All => _numbers.OrderBy(kv => kv.Value).Select(kv => kv.Key);

    /// <summary>"3,1" (number,patchset) as "C,1"; anything else as it is.</summary>
    public string NameTestedWith(string entry)
    {
        int comma = entry.IndexOf(',', StringComparison.Ordinal);
        string head = comma < 0 ? entry : entry[..comma];
        return int.TryParse(head, out int n) ? Name(n) + (comma < 0 ? "" : entry[comma..]) : entry;
    }
}
