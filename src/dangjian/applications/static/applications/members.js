// Adds a party-member row to the application form (the formset's empty form, renumbered).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("add-member");
  const template = document.getElementById("member-empty");
  const rows = document.getElementById("member-rows");
  const total = document.getElementById("id_members-TOTAL_FORMS");
  if (!button || !template || !rows || !total) return;
  button.addEventListener("click", () => {
    const index = parseInt(total.value, 10);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const row = holder.firstElementChild;
    rows.appendChild(row);
    total.value = String(index + 1);
    if (window.htmx) window.htmx.process(row);
    const first = row.querySelector("input");
    if (first) first.focus();
  });
});
