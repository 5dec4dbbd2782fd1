// Paged look-ups (app/views/lookup.py): select2 asks the server for 20 matching units at a time.
$(function () {
    $("select.lookup").each(function () {
        var select = $(this);
        select.select2({
            theme: "bootstrap",
            allowClear: true,
            placeholder: "",
            ajax: {
                url: select.data("url"),
                dataType: "json",
                delay: 250,
                data: function (params) { return {q: params.term || "", page: params.page || 1}; }
            }
        });
    });
});
