// PSAD dashboard: reads the token from the URL fragment (#token=...), never sends it anywhere
// but in the Authorization header of same-origin API calls. Data is written with textContent.
"use strict";
(function () {
  const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";

  function filtres() {
    const q = new URLSearchParams(location.search), out = new URLSearchParams();
    for (const k of ["territoire", "uai", "mission_locale", "as_of", "du", "au"]) if (q.get(k)) out.set(k, q.get(k));
    return out;
  }
  async function api(path, params) {
    const r = await fetch(path + "?" + params.toString(), { headers: { Authorization: "Bearer " + token } });
    if (!r.ok) throw new Error(path + ": HTTP " + r.status + " " + (await r.text()));
    return r.json();
  }
  function texte(id, v) { $(id).textContent = v === null || v === undefined ? "–" : String(v); }
  function pourcent(x) { return x === null ? null : Math.round(x * 1000) / 10 + " %"; }
  function el(tag, attrs, txt) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (txt !== undefined) e.textContent = txt;
    return e;
  }
  const ETAPES = { entrees: "Entrées", accueil: "Accueil ML", pacea_ou_solution: "PACEA ou solution",
                   issue: "Issue du bilan" };
  const POURQUOI = { SANS_ACTIVITE_21J: "aucune activité depuis 21 jours",
                     FIN_SOUS_15J: "fin prévue dans moins de 15 jours",
                     SANS_ACCUEIL_10J: "pas d'accueil en mission locale 10 jours après l'entrée" };
  const ISSUES = ["FORMATION", "EMPLOI", "PARCOURS_INSERTION", "ABANDON"];
  let noms = { uai: {}, mission_locale: {} };
  function barres(svg, donnees, cle, libelles) {
    svg.replaceChildren();
    const entries = Object.entries(donnees), max = Math.max(1, ...entries.map((e) => e[1]));
    const w = Math.max(20, Math.floor(500 / Math.max(1, entries.length)) - 8);
    if (!entries.length) svg.append(el("text", { x: 10, y: 60 }, "Aucune donnée pour ces filtres."));
    entries.forEach(([label, n], i) => {
      const h = Math.round(100 * n / max), x = 10 + i * (w + 8);
      const g = el("g", { "data-cle": cle, "data-label": label, "data-n": n });
      g.append(el("rect", { x, y: 115 - h, width: w, height: h, fill: "#3f6fb5" }),
               el("text", { x, y: 110 - h }, String(n)),
               el("text", { x, y: 130 }, (libelles || {})[label] || label));
      svg.append(g);
    });
  }
  function lignes(tbody, rows, cells) {
    tbody.replaceChildren(...rows.map((r) => {
      const tr = document.createElement("tr");
      for (const c of cells(r)) { const td = document.createElement("td"); td.textContent = c; tr.append(td); }
      return tr;
    }));
  }
  function options(select, valeurs, courant) {
    const garde = select.options[0];
    select.replaceChildren(garde, ...valeurs.map(([v, nom]) => new Option(nom || v, v, false, v === courant)));
  }
  async function charger() {
    document.body.dataset.etat = "chargement";
    const p = filtres();
    try {
      const [s, risque] = await Promise.all([api("/v1/psad/synthese", p), api("/v1/psad/a-risque", p)]);
      texte("territoire", s.territoire); texte("date-ref", s.as_of);
      texte("entrees", s.entrees); texte("ouverts", s.parcours_ouverts);
      texte("part-solution", pourcent(s.part_avec_solution)); texte("duree-mediane", s.duree_mediane_jours);
      texte("a-risque", s.jeunes_a_risque);
      for (const l of s.par_lycee) noms.uai[l.uai] = l.libelle;
      for (const m of s.par_mission_locale) noms.mission_locale[m.mission_locale] = m.libelle;
      barres($("graphe-entonnoir"), s.entonnoir, "entonnoir", ETAPES);
      barres($("graphe-issues"), s.issues, "issue");
      barres($("graphe-mois"), s.entrees_par_mois, "mois");
      barres($("graphe-refus"), s.refus, "refus");
      lignes($("issues-par-mois"), Object.entries(s.issues_par_mois),
        ([mois, n]) => [mois, ...ISSUES.map((i) => n[i] || 0)]);
      const ligne = (cle) => (l) => [l[cle], l.libelle || "–", l.entrees, l.parcours_ouverts,
        pourcent(l.part_avec_solution) ?? "–", l.jeunes_a_risque];
      lignes($("par-lycee"), s.par_lycee, ligne("uai"));
      lignes($("par-mission-locale"), s.par_mission_locale, ligne("mission_locale"));
      lignes($("liste-risque"), risque.items, (r) => [r.parcours_id, noms.uai[r.uai] || r.uai,
        r.mission_locale ? noms.mission_locale[r.mission_locale] || r.mission_locale : "–",
        r.date_fin_prevue, r.alertes.map((a) => POURQUOI[a] || a).join(" ; ")]);
      if (!p.get("uai") && !p.get("mission_locale")) {
        options($("filtre-uai"), s.par_lycee.map((l) => [l.uai, l.libelle]), p.get("uai"));
        options($("filtre-ml"), s.par_mission_locale.map((m) => [m.mission_locale, m.libelle]), p.get("mission_locale"));
      }
      $("filtre-as-of").value = s.as_of;
      $("filtre-du").value = p.get("du") || ""; $("filtre-au").value = p.get("au") || "";
      $("erreur").hidden = true;
      document.body.dataset.etat = "pret";
    } catch (e) {
      $("erreur").textContent = token ? String(e.message) : "Ouvrez cette page avec #token=<jeton PSAD> dans l'adresse.";
      $("erreur").hidden = false;
      document.body.dataset.etat = "erreur";
    }
  }
  function changer() {
    const p = filtres();
    for (const [k, id] of [["uai", "filtre-uai"], ["mission_locale", "filtre-ml"], ["as_of", "filtre-as-of"],
                           ["du", "filtre-du"], ["au", "filtre-au"]]) {
      if ($(id).value) p.set(k, $(id).value); else p.delete(k);
    }
    history.replaceState(null, "", "?" + p.toString() + location.hash);
    charger();
  }
  for (const id of ["filtre-uai", "filtre-ml", "filtre-as-of", "filtre-du", "filtre-au"]) $(id).addEventListener("change", changer);
  charger();
})();
