using Gating.Config.Errors;
using Gating.Config.Yaml;

namespace Gating.Config.Tests.Yaml;

public sealed class YamlDocumentReaderTests
{
    private static YamlNode Root(string text)
    {
        var doc = YamlDocumentReader.Read(text, "f.yaml");
        Assert.Empty(doc.Errors);
        return doc.Root!;
    }

    private static YamlScalar Scalar(string text) => Assert.IsType<YamlScalar>(((YamlMapping)Root("v: " + text)).Get("v"));

    [Theory]
    [InlineData("yes", true)]
    [InlineData("Yes", true)]
    [InlineData("YES", true)]
    [InlineData("no", false)]
    [InlineData("No", false)]
    [InlineData("on", true)]
    [InlineData("On", true)]
    [InlineData("OFF", false)]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("FALSE", false)]
    public void Yaml_1_1_booleans_resolve_like_pyyaml(string text, bool expected)
    {
        var s = Scalar(text);
        Assert.Equal(YamlScalarKind.Bool, s.Kind);
        Assert.Equal(expected, s.AsBool());
    }

    [Theory]
    [InlineData("y")]
    [InlineData("n")]
    [InlineData("yEs")]
    [InlineData("'yes'")]
    [InlineData("\"true\"")]
    public void Other_spellings_and_quoted_booleans_are_strings(string text) =>
        Assert.Equal(YamlScalarKind.String, Scalar(text).Kind);

    [Theory]
    [InlineData("0755", 493)]
    [InlineData("0x1F", 31)]
    [InlineData("0b101", 5)]
    [InlineData("-42", -42)]
    [InlineData("+7", 7)]
    [InlineData("1_000", 1000)]
    [InlineData("1:30", 90)]
    [InlineData("0", 0)]
    public void Yaml_1_1_integers_include_octal_hex_binary_and_sexagesimal(string text, long expected)
    {
        var s = Scalar(text);
        Assert.Equal(YamlScalarKind.Int, s.Kind);
        Assert.Equal(expected, s.AsInt64());
    }

    [Theory]
    [InlineData("3.11", 3.11, "3.11")]
    [InlineData("3.10", 3.1, "3.1")]
    [InlineData("1.5e+3", 1500.0, "1500.0")]
    [InlineData(".5", 0.5, "0.5")]
    [InlineData("-2.", -2.0, "-2.0")]
    public void Floats_need_a_dot_and_lose_trailing_zeros(string text, double expected, string python)
    {
        var s = Scalar(text);
        Assert.Equal(YamlScalarKind.Float, s.Kind);
        Assert.Equal(expected, s.AsDouble());
        Assert.Equal(python, s.ToPythonString());
    }

    [Theory]
    [InlineData(".inf")]
    [InlineData("-.Inf")]
    [InlineData(".NaN")]
    public void Infinity_and_nan_are_floats(string text) => Assert.Equal(YamlScalarKind.Float, Scalar(text).Kind);

    [Theory]
    [InlineData("1e3")]
    [InlineData("08")]
    [InlineData("1.2.3")]
    [InlineData("v1")]
    [InlineData("2023.1-rc")]
    public void Not_numbers_in_yaml_1_1_are_strings(string text) => Assert.Equal(YamlScalarKind.String, Scalar(text).Kind);

    [Theory]
    [InlineData("~")]
    [InlineData("null")]
    [InlineData("Null")]
    [InlineData("NULL")]
    [InlineData("")]
    public void Nulls(string text) => Assert.True(Scalar(text).IsNull);

    [Fact]
    public void Timestamps_are_kept_as_text() => Assert.Equal(YamlScalarKind.Timestamp, Scalar("2001-12-14").Kind);

    [Fact]
    public void Every_node_has_its_line_and_column()
    {
        var root = (YamlSequence)Root("- job:\n    name: foo\n    vars:\n      a: [1, 2]\n");
        var job = (YamlMapping)((YamlMapping)root.Items[0]).Get("job")!;
        Assert.Equal(new SourceLocation("f.yaml", 2, 11), job.Get("name")!.Location);
        var list = (YamlSequence)((YamlMapping)job.Get("vars")!).Get("a")!;
        Assert.Equal(new SourceLocation("f.yaml", 4, 10), list.Location);
        Assert.Equal(new SourceLocation("f.yaml", 4, 14), list.Items[1].Location);
    }

    [Fact]
    public void Duplicate_keys_are_errors_at_the_second_key_and_mark_the_stanza_bad()
    {
        var doc = YamlDocumentReader.Read("- job:\n    name: a\n- job:\n    name: b\n    name: c\n", "f.yaml");
        var e = Assert.Single(doc.Errors);
        Assert.Equal(ConfigErrorCodes.DuplicateKey, e.Code);
        Assert.Equal((5, 5), (e.Line, e.Column));
        Assert.Equal([1], doc.BadTopLevelItems);
    }

    [Fact]
    public void Merge_keys_merge_and_explicit_keys_win_without_duplicate_errors()
    {
        var root = (YamlMapping)Root("base: &b\n  x: 1\n  y: 2\nchild:\n  <<: *b\n  y: 3\n  z: 4\n");
        var child = (YamlMapping)root.Get("child")!;
        Assert.Equal(["x", "y", "z"], child.Entries.Select(e => e.KeyText).Order());
        Assert.Equal("3", ((YamlScalar)child.Get("y")!).Text);
        Assert.Equal("1", ((YamlScalar)child.Get("x")!).Text);
    }

    [Fact]
    public void Merge_of_a_list_of_mappings_prefers_the_earlier_one()
    {
        var root = (YamlMapping)Root("a: &a {k: 1}\nb: &b {k: 2, m: 3}\nc:\n  <<: [*a, *b]\n");
        var c = (YamlMapping)root.Get("c")!;
        Assert.Equal("1", ((YamlScalar)c.Get("k")!).Text);
        Assert.Equal("3", ((YamlScalar)c.Get("m")!).Text);
    }

    [Fact]
    public void Merge_key_as_a_list_item_yields_the_merged_mapping()
    {
        var root = (YamlMapping)Root("x: &x\n  name: foo\n  voting: false\nlist:\n  - <<: *x\n  - <<: *x\n    name: bar\n");
        var list = (YamlSequence)root.Get("list")!;
        Assert.Equal("foo", ((YamlScalar)((YamlMapping)list.Items[0]).Get("name")!).Text);
        Assert.Equal("bar", ((YamlScalar)((YamlMapping)list.Items[1]).Get("name")!).Text);
        Assert.Equal("false", ((YamlScalar)((YamlMapping)list.Items[1]).Get("voting")!).Text);
    }

    [Fact]
    public void Aliases_share_the_anchored_node()
    {
        var root = (YamlMapping)Root("a: &files\n  - ^doc/.*$\nb: *files\n");
        Assert.Same(root.Get("a"), root.Get("b"));
    }

    [Fact]
    public void Unknown_alias_is_an_error()
    {
        var doc = YamlDocumentReader.Read("- a: *nope\n", "f.yaml");
        Assert.Contains(doc.Errors, e => e.Code is ConfigErrorCodes.UnknownAlias or ConfigErrorCodes.YamlSyntax);
    }

    [Fact]
    public void Encrypted_scalar_and_chunk_list()
    {
        var root = (YamlMapping)Root("one: !encrypted/pkcs1-oaep AAAA\nmany: !encrypted/pkcs1-oaep\n  - BBBB\n  - CCCC\n");
        Assert.Equal(["AAAA"], Assert.IsType<YamlEncrypted>(root.Get("one")).Chunks.ToArray());
        Assert.Equal(["BBBB", "CCCC"], Assert.IsType<YamlEncrypted>(root.Get("many")).Chunks.ToArray());
    }

    [Fact]
    public void Inherit_and_override_tags_on_lists_mappings_and_strings()
    {
        var root = (YamlMapping)Root("a: !inherit [x]\nb: !override {k: v}\nc: !override text\nd: [y]\n");
        Assert.Equal(OverrideControl.Inherit, root.Get("a")!.OverrideControl);
        Assert.Equal(OverrideControl.Override, root.Get("b")!.OverrideControl);
        Assert.Equal(OverrideControl.Override, root.Get("c")!.OverrideControl);
        Assert.Equal("text", ((YamlScalar)root.Get("c")!).Text);
        Assert.Equal(OverrideControl.Default, root.Get("d")!.OverrideControl);
    }

    [Fact]
    public void Unknown_tags_are_errors()
    {
        var doc = YamlDocumentReader.Read("- a: !custom x\n", "f.yaml");
        Assert.Equal(ConfigErrorCodes.UnknownTag, Assert.Single(doc.Errors).Code);
    }

    [Fact]
    public void A_second_document_is_an_error_and_a_leading_marker_is_fine()
    {
        Assert.Empty(YamlDocumentReader.Read("---\n- job: {name: a}\n", "f.yaml").Errors);
        var doc = YamlDocumentReader.Read("- job: {name: a}\n---\n- job: {name: b}\n", "f.yaml");
        var e = Assert.Single(doc.Errors);
        Assert.Equal(ConfigErrorCodes.MultipleDocuments, e.Code);
        Assert.Equal(2, e.Line);
        Assert.Null(doc.Root);
    }

    [Fact]
    public void Syntax_errors_have_a_location_and_never_throw()
    {
        var doc = YamlDocumentReader.Read("- job:\n    name: [unclosed\n  bad: : :\n", "f.yaml");
        var e = Assert.Single(doc.Errors);
        Assert.Equal(ConfigErrorCodes.YamlSyntax, e.Code);
        Assert.True(e.Line > 0);
        Assert.Null(doc.Root);
    }

    [Fact]
    public void Empty_file_has_no_root_and_no_error()
    {
        var doc = YamlDocumentReader.Read("", "f.yaml");
        Assert.Null(doc.Root);
        Assert.Empty(doc.Errors);
    }
}
