// Draws the management dashboard's charts (DOMAIN 6.2) with Chart.js from the data the page embeds
// in <script type="application/json" id="dashboard-data">. The tables on the page show the same data.
(function () {
  'use strict';
  var source = document.getElementById('dashboard-data');
  if (!source || !window.Chart) return;
  var data = JSON.parse(source.textContent);
  var Chart = window.Chart;

  var seats = document.getElementById('seats-chart');
  if (seats) {
    new Chart(seats, {
      type: 'bar',
      data: {
        labels: data.seats.labels,
        datasets: [
          { label: 'Sold', data: data.seats.sold },
          { label: 'Held', data: data.seats.held },
          { label: 'Available', data: data.seats.available },
        ],
      },
      options: { indexAxis: 'y', animation: false, scales: { x: { stacked: true, beginAtZero: true }, y: { stacked: true } } },
    });
  }

  var sales = document.getElementById('sales-chart');
  if (sales) {
    var datasets = data.sales.seatTypes.map(function (seatType) {
      return { type: 'bar', label: seatType.name, data: seatType.seats, stack: 'seats', yAxisID: 'seats' };
    });
    datasets.push({ type: 'line', label: 'Cumulative revenue ($)', data: data.sales.cumulativeRevenue, yAxisID: 'revenue' });
    new Chart(sales, {
      data: { labels: data.sales.days, datasets: datasets },
      options: {
        animation: false,
        scales: {
          x: { stacked: true },
          seats: { type: 'linear', position: 'left', stacked: true, beginAtZero: true, title: { display: true, text: 'Seats sold' } },
          revenue: { type: 'linear', position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: 'Revenue ($)' } },
        },
      },
    });
  }
})();
