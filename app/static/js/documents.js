// A document's page (templates/ledger/document.html): poll its state until the job is done or failed.
(function ($) {
    $(function () {
        var box = $("#document-progress");
        if (!box.length) {
            return;
        }
        function poll() {
            $.getJSON(box.data("status-url"), function (status) {
                var bar = box.find(".progress-bar");
                bar.css("width", status.progress + "%").attr("aria-valuenow", status.progress).text(status.progress + "%");
                box.find(".document-state").text(status.state_label);
                if (status.state === "done") {
                    bar.removeClass("active progress-bar-striped").addClass("progress-bar-success");
                    box.find(".document-download").attr("href", status.url).show();
                } else if (status.state === "failed") {
                    bar.removeClass("active").addClass("progress-bar-danger");
                    box.find(".document-error").show();
                } else {
                    window.setTimeout(poll, 1000);
                }
            });
        }
        poll();
    });
})(jQuery);
