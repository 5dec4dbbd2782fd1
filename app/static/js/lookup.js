// Paged look-ups (app/views/lookup.py): select2 asks the server for 20 matching units at a time.
// Works for form fields and for list filters, which FAB's filter script adds to the page later.
(function ($) {
    function showChosenFilterValue(select) {
        // A filter's value lives in the address (?_flt_0_village=17): fetch its name to show it.
        var value = new URLSearchParams(window.location.search).get(select.attr("name"));
        if (!value || select.find("option[value='" + value + "']").length) {
            return;
        }
        $.getJSON(select.data("url") + "&ids=" + encodeURIComponent(value), function (data) {
            $.each(data.results, function (_, unit) {
                select.append(new Option(unit.text, unit.id, true, true));
            });
            select.trigger("change");
        });
    }

    function lookup(select) {
        select = $(select);
        if (select.data("select2")) {
            return;
        }
        select.select2({
            theme: "bootstrap",
            width: "100%",
            allowClear: !select.prop("multiple"),
            placeholder: "",
            ajax: {
                url: select.data("url"),
                dataType: "json",
                delay: 250,
                data: function (params) { return {q: params.term || "", page: params.page || 1}; }
            }
        });
        showChosenFilterValue(select);
    }

    $(function () {
        $("select.lookup").each(function () { lookup(this); });
        new MutationObserver(function (changes) {
            changes.forEach(function (change) {
                $(change.addedNodes).find("select.lookup").addBack("select.lookup").each(function () {
                    lookup(this);
                });
            });
        }).observe(document.body, {childList: true, subtree: true});
    });
})(jQuery);
